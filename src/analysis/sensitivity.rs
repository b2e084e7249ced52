//! Global sensitivity analysis of a design run: Morris screening, Sobol indices, and regression and
//! rank coefficients for Latin hypercube or random designs, with the seeds' noise separated out.
//!
//! Everything is computed from `manifest.json` (the design, from which the unit-cube rows are
//! recomputed) and one or two streaming passes over `runs.csv`, so memory grows with points ×
//! metrics, not runs, and a saved or merged directory is enough.
//!
//! Estimators (on the replicate means of each design point, per option and metric):
//! - Sobol first order: Saltelli et al. (2010), S_i = mean(f(B)(f(AB_i) − f(A))) / V; total:
//!   Jansen (1999), S_Ti = mean((f(A) − f(AB_i))²) / 2V; second order: Saltelli (2002), as SALib's
//!   `sobol.analyze`; V is the variance of f(A) and f(B) together. Intervals: the bootstrap over
//!   base rows (Archer, Saltelli & Sobol' 1997), estimate ± z·sd of the resampled estimates, as
//!   SALib reports `S1_conf`.
//! - Morris: elementary effects (y(x + Δe_i) − y(x)) / Δ on the unit grid (Morris 1991),
//!   μ, μ* = mean |EE| (Campolongo, Cariboni & Saltelli 2007) and σ; the bootstrap interval of μ*
//!   as SALib's `morris.analyze`.
//! - LHS and random: standardised regression coefficients (least squares on the unit coordinates)
//!   and Spearman rank correlations, with bootstrap intervals over points.
//!
//! Seed noise: with R replicates, the within-point variance s² estimates the noise of one run, and
//! a point mean carries s²/R of it. With independent streams that noise is independent between
//! points: it inflates the variance of the means and the Jansen numerator by s²/R, which is
//! subtracted from both. With common random numbers part of the noise is shared by every point in
//! replicate r and cancels from differences and variances; only the part not shared counts, which
//! is estimated from the within-point variance of y − m_r (m_r: replicate r's mean over the
//! option's points), the second pass over `runs.csv`.

use std::collections::HashMap;
use std::path::Path;

use rand::Rng as _;

use crate::engine::rng;
use crate::error::InputError;
use crate::output::files;
use crate::output::manifest::{DesignInfo, Manifest};
use crate::scenario::sampling;
use crate::scenario::space::{self, Method};
use crate::stats::{self, Moments};

/// The file `sensitivity` writes.
pub const SENSITIVITY: &str = "sensitivity.csv";
/// SALib's `problem` for the design, beside points.csv.
pub const SALIB_PROBLEM: &str = "salib_problem.json";

/// Bootstrap resamples for the intervals.
pub const RESAMPLES: usize = 1000;
/// z for a 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The parameter column of rows about the seeds rather than a parameter.
pub const SEEDS: &str = "(seeds)";

/// One estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub method: &'static str,
    /// The option ("" without options).
    pub option: String,
    pub metric: String,
    /// A parameter, `a:b` for a second-order index, or [`SEEDS`].
    pub parameter: String,
    /// `S1`, `ST`, `S2`, `mu`, `mu_star`, `sigma`, `src`, `r2`, `spearman`, `noise_share`,
    /// `seed_variance`, `parameter_variance`.
    pub index: &'static str,
    pub estimate: f64,
    /// Half-width of the 95% interval (NaN where there is none).
    pub conf: f64,
    /// Base rows (sobol), trajectories (morris) or points (lhs, random).
    pub samples: usize,
    pub replicates: u64,
    /// A flag a reader must see beside the number ("" when there is none): a Morris factor whose
    /// μ* lies within the seeds' noise, an R² capped at 1.
    pub note: String,
}

/// The note of a Morris μ* that the seeds' noise alone could produce.
pub const WITHIN_NOISE: &str = "within seed noise";

/// The analysis of one directory.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub design: DesignInfo,
    pub estimates: Vec<Estimate>,
    /// The replicate mean of every point (all options) and metric, at `point_id × metrics + m`
    /// (metrics in the manifest's order): what the scatter figures plot against each input.
    pub point_means: Vec<f64>,
    /// Every run's value at the same index, kept only for runs of at most [`KEEP_RUNS_UP_TO`] runs
    /// (so memory stays bounded by points × metrics); empty otherwise.
    pub run_values: Vec<Vec<f64>>,
    /// Per factor: whether its parameter takes whole numbers (from the model's declaration).
    pub whole: Vec<bool>,
}

/// Runs up to which each run's value is kept for the figures (faint points under the means);
/// beyond it a figure would be a solid smear and its SVG many megabytes.
pub const KEEP_RUNS_UP_TO: usize = 5_000;

/// Per point and metric: moments of the run values, and (common streams) of the values centred
/// on their replicate's mean.
struct Tally {
    /// Runs per point (a failed run has no row).
    runs: Vec<u64>,
    raw: Vec<Moments>,
    centred: Vec<Moments>,
    /// Each run's values per point and metric, for small runs ([`KEEP_RUNS_UP_TO`]).
    kept: Vec<Vec<f64>>,
    /// Morris only: at `j × metrics + m`, the moments over replicates r of y(j + 1, r) − y(j, r)
    /// for each step j → j + 1 within a trajectory: each replicate's own elementary effect (times Δ).
    steps: Vec<Moments>,
}

/// The sensitivity analysis of a saved directory, or `None` when it holds no design.
pub fn analyse(dir: &Path, manifest: &Manifest) -> Result<Option<Sensitivity>, InputError> {
    let Some(design) = manifest.design.clone() else {
        return Ok(None);
    };
    let method = Method::from_name(&design.method).ok_or_else(|| {
        InputError::new(
            dir.join(files::MANIFEST).display().to_string(),
            format!("unknown design method \"{}\"", design.method),
        )
    })?;
    let d = design.factors.len();
    let rows = space::unit_rows(
        method,
        design.n,
        design.levels,
        d,
        design.second_order,
        design.seed,
    );
    let p = design.points;
    let options = manifest.options.len().max(1);
    let k = manifest.metrics.len();
    if rows.len() != p || manifest.points.len() != p * options {
        return Err(InputError::new(
            dir.join(files::MANIFEST).display().to_string(),
            format!(
                "the design has {} rows and {} points, but the manifest lists {} points for {options} option(s)",
                rows.len(),
                p,
                manifest.points.len()
            ),
        ));
    }
    let tally = tally(dir, manifest, p, options, k)?;
    let reps = manifest.replications;
    let mut estimates = Vec::new();
    for o in 0..options {
        let option = manifest
            .options
            .get(o)
            .map_or_else(String::new, |x| x.name.clone());
        for (m, info) in manifest.metrics.iter().enumerate() {
            let at = |j: usize| (o * p + j) * k + m;
            let means: Vec<f64> = (0..p).map(|j| tally.raw[at(j)].mean()).collect();
            if let Some(j) = means.iter().position(|x| !x.is_finite()) {
                // A failed run leaves a point without runs; a metric that is NaN in every replicate
                // of a point (e.g. of an empty group) has no mean there, and is left out.
                if tally.runs[o * p + j] == 0 {
                    return Err(InputError::new(
                        dir.join(files::RUNS).display().to_string(),
                        format!(
                            "design point {} has no runs (see failures.csv); a sensitivity analysis needs every point",
                            o * p + j
                        ),
                    ));
                }
                continue;
            }
            let within = mean_of((0..p).map(|j| tally.raw[at(j)].sd().powi(2)));
            let unshared = if tally.centred.is_empty() {
                within
            } else if design.common_random_numbers {
                mean_of((0..p).map(|j| tally.centred[at(j)].sd().powi(2))) * p as f64
                    / (p as f64 - 1.0)
            } else {
                within
            };
            // The noise variance of a point mean that is not common to every point.
            let noise = if reps > 1 && unshared.is_finite() {
                unshared / reps as f64
            } else {
                0.0
            };
            let ctx = Ctx {
                method: method.name(),
                option: option.clone(),
                metric: info.name.clone(),
                samples: design.n,
                replicates: reps,
                names: design.factors.iter().map(|f| f.name.clone()).collect(),
                seed: rng::mix64(design.seed ^ ((o * k + m) as u64).wrapping_mul(0x9E37)),
            };
            let v_means = variance(&means);
            if reps > 1 && within.is_finite() {
                let v_params = (v_means - noise).max(0.0);
                let share = within / (within + v_params);
                estimates.push(ctx.row(SEEDS, "noise_share", share, f64::NAN));
                estimates.push(ctx.row(SEEDS, "seed_variance", within, f64::NAN));
                estimates.push(ctx.row(SEEDS, "parameter_variance", v_params, f64::NAN));
            }
            match method {
                Method::Sobol => {
                    // With common streams the noise of f(A) − f(AB_i) depends on how close the two
                    // points are (nearby points share more of it), so the Jansen numerator is left
                    // uncorrected (conservative: ST is then biased up, not down).
                    let jansen = if design.common_random_numbers {
                        0.0
                    } else {
                        noise
                    };
                    let noise = Noise {
                        variance: noise,
                        jansen,
                    };
                    sobol(&ctx, &means, d, design.second_order, noise, &mut estimates)
                }
                Method::Morris => {
                    // Each step's noise: the variance over replicates of y(j + 1, r) − y(j, r),
                    // over the pairs, is the variance of the step's difference of means.
                    let step_noise: Vec<f64> = (0..p)
                        .map(|j| {
                            let m = &tally.steps[at(j)];
                            m.sd().powi(2) / m.n as f64
                        })
                        .collect();
                    morris(
                        &ctx,
                        &rows,
                        &means,
                        &step_noise,
                        design.levels,
                        &mut estimates,
                    )
                }
                Method::Lhs | Method::Random => {
                    regression(&ctx, &rows, &means, noise, &mut estimates)
                }
            }
        }
    }
    Ok(Some(Sensitivity {
        whole: whole_numbers(manifest, &design),
        design,
        estimates,
        point_means: tally.raw.iter().map(Moments::mean).collect(),
        run_values: tally.kept,
    }))
}

/// Per factor of the design, whether the model declares its parameter as whole numbers.
fn whole_numbers(manifest: &Manifest, design: &DesignInfo) -> Vec<bool> {
    let model = crate::models::find(&manifest.model);
    design
        .factors
        .iter()
        .map(|f| {
            model
                .and_then(|m| crate::scenario::find_param(m, &f.name).ok())
                .is_some_and(|spec| {
                    matches!(spec.domain, crate::engine::params::Domain::Int { .. })
                })
        })
        .collect()
}

/// Streams `runs.csv` once for the moments of every point, and once more with common random
/// numbers for the moments of values centred on their replicate's mean.
fn tally(
    dir: &Path,
    manifest: &Manifest,
    p: usize,
    options: usize,
    k: usize,
) -> Result<Tally, InputError> {
    let path = dir.join(files::RUNS);
    let shown = path.display().to_string();
    let design = manifest.design.as_ref().expect("a design");
    let points = manifest.points.len();
    let reps = manifest.replications as usize;
    let mut raw = vec![Moments::default(); points * k];
    let mut runs = vec![0u64; points];
    let mut sums = vec![0.0; options * reps * k];
    let mut counts = vec![0u64; options * reps * k];
    let keep = points * reps <= KEEP_RUNS_UP_TO;
    // Morris: the previous point's values by replicate, to difference each replicate along a step.
    let trajectory = (design.method == "morris").then(|| design.factors.len() + 1);
    let mut steps = if trajectory.is_some() {
        vec![Moments::default(); points * k]
    } else {
        Vec::new()
    };
    let (mut previous, mut current) = (vec![f64::NAN; reps * k], vec![f64::NAN; reps * k]);
    let (mut previous_point, mut current_point) = (usize::MAX, usize::MAX);
    let mut kept = if keep {
        vec![Vec::new(); points * k]
    } else {
        Vec::new()
    };
    stream_runs(&path, &shown, manifest, |point, r, values| {
        let o = point / p;
        runs[point] += 1;
        if let Some(size) = trajectory
            && point != current_point
        {
            std::mem::swap(&mut previous, &mut current);
            current.fill(f64::NAN);
            previous_point = current_point;
            current_point = point;
            // A step joins two points of one trajectory (of one option).
            if previous_point.wrapping_add(1) != point || (point % p).is_multiple_of(size) {
                previous.fill(f64::NAN);
            }
        }
        for (m, &x) in values.iter().enumerate() {
            raw[point * k + m].push(x);
            if keep {
                kept[point * k + m].push(x);
            }
            if trajectory.is_some() {
                current[r * k + m] = x;
                // NaN on either side (a failed run, a missing value) leaves the pair out.
                if let Some(j) = point.checked_sub(1) {
                    steps[j * k + m].push(x - previous[r * k + m]);
                }
            }
            if !x.is_nan() {
                sums[(o * reps + r) * k + m] += x;
                counts[(o * reps + r) * k + m] += 1;
            }
        }
    })?;
    let mut centred = Vec::new();
    if design.common_random_numbers && reps > 1 {
        centred = vec![Moments::default(); points * k];
        let replicate_mean: Vec<f64> = sums
            .iter()
            .zip(&counts)
            .map(|(s, &c)| s / c as f64)
            .collect();
        stream_runs(&path, &shown, manifest, |point, r, values| {
            let o = point / p;
            for (m, &x) in values.iter().enumerate() {
                centred[point * k + m].push(x - replicate_mean[(o * reps + r) * k + m]);
            }
        })?;
    }
    Ok(Tally {
        runs,
        raw,
        centred,
        kept,
        steps,
    })
}

/// Calls `each(point_id, replicate, metric values)` for every row of `runs.csv`.
pub(crate) fn stream_runs(
    path: &Path,
    shown: &str,
    manifest: &Manifest,
    mut each: impl FnMut(usize, usize, &[f64]),
) -> Result<(), InputError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        InputError::new(
            shown,
            format!("cannot read ({e}); the output directory is incomplete"),
        )
    })?;
    let header = reader
        .headers()
        .map_err(|e| InputError::new(shown, format!("cannot read the header: {e}")))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError::new(shown, format!("has no column \"{name}\"")))
    };
    let (pc, rc) = (column("point_id")?, column("replicate")?);
    let metric_cols: Vec<usize> = manifest
        .metrics
        .iter()
        .map(|m| column(&m.name))
        .collect::<Result<_, _>>()?;
    let mut values = vec![0.0; metric_cols.len()];
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        let more = reader
            .read_record(&mut record)
            .map_err(|e| InputError::new(shown, format!("{e}")))?;
        if !more {
            return Ok(());
        }
        let bad = |col: usize, what: &str| {
            InputError::new(
                shown,
                format!(
                    "row {line}: \"{}\" is not {what} in column {}",
                    record.get(col).unwrap_or(""),
                    header.get(col).unwrap_or("")
                ),
            )
        };
        let point: usize = record
            .get(pc)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(pc, "a whole number"))?;
        let r: usize = record
            .get(rc)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(rc, "a whole number"))?;
        if point >= manifest.points.len() || r as u64 >= manifest.replications {
            return Err(InputError::new(
                shown,
                format!("row {line}: point {point}, replicate {r} is not in manifest.json"),
            ));
        }
        for (slot, &col) in values.iter_mut().zip(&metric_cols) {
            *slot = record
                .get(col)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad(col, "a number"))?;
        }
        each(point, r, &values);
    }
}

/// What every estimate of one option and metric shares.
struct Ctx {
    method: &'static str,
    option: String,
    metric: String,
    samples: usize,
    replicates: u64,
    names: Vec<String>,
    seed: u64,
}

impl Ctx {
    fn row(&self, parameter: &str, index: &'static str, estimate: f64, conf: f64) -> Estimate {
        Estimate {
            method: self.method,
            option: self.option.clone(),
            metric: self.metric.clone(),
            parameter: parameter.to_string(),
            index,
            estimate,
            conf,
            samples: self.samples,
            replicates: self.replicates,
            note: String::new(),
        }
    }

    /// `count` bootstrap index sets of `n` draws with replacement from 0..n.
    fn resamples(&self, n: usize, count: usize) -> Vec<Vec<usize>> {
        let mut rng = rng::stream(self.seed, 0xB007);
        (0..count)
            .map(|_| (0..n).map(|_| rng.random_range(0..n)).collect())
            .collect()
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    Moments::from_values(values).mean()
}

/// The population variance (n in the denominator, as numpy's `var`).
fn variance(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
}

/// z · the sample standard deviation of bootstrap estimates (NaN ones skipped).
fn conf(values: &[f64]) -> f64 {
    Z95 * Moments::from_values(values.iter().copied()).sd()
}

/// The Saltelli blocks of replicate means: A, AB (row-major N × d), BA, B.
struct Blocks {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

fn blocks(y: &[f64], d: usize, second_order: bool) -> Blocks {
    let step = sampling::saltelli_block(d, second_order);
    let chunks: Vec<&[f64]> = y.chunks(step).collect();
    Blocks {
        a: chunks.iter().map(|c| c[0]).collect(),
        b: chunks.iter().map(|c| c[step - 1]).collect(),
        ab: (0..d)
            .map(|j| chunks.iter().map(|c| c[1 + j]).collect())
            .collect(),
        ba: if second_order {
            (0..d)
                .map(|j| chunks.iter().map(|c| c[1 + d + j]).collect())
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// S1, ST (and S2) from the rows `idx` of the blocks.
struct SobolIndices {
    s1: Vec<f64>,
    st: Vec<f64>,
    s2: Vec<(usize, usize, f64)>,
}

/// The seed noise of a point mean: `variance` comes off V, `jansen` off the total-order numerator.
#[derive(Clone, Copy)]
struct Noise {
    variance: f64,
    jansen: f64,
}

fn sobol_indices(bl: &Blocks, idx: &[usize], noise: Noise, second_order: bool) -> SobolIndices {
    let d = bl.ab.len();
    let n = idx.len() as f64;
    let pooled: Vec<f64> = idx
        .iter()
        .map(|&i| bl.a[i])
        .chain(idx.iter().map(|&i| bl.b[i]))
        .collect();
    let v = variance(&pooled) - noise.variance;
    let first = |j: usize| {
        idx.iter()
            .map(|&i| bl.b[i] * (bl.ab[j][i] - bl.a[i]))
            .sum::<f64>()
            / n
            / v
    };
    let s1: Vec<f64> = (0..d).map(first).collect();
    let st = (0..d)
        .map(|j| {
            (0.5 * idx
                .iter()
                .map(|&i| (bl.a[i] - bl.ab[j][i]).powi(2))
                .sum::<f64>()
                / n
                - noise.jansen)
                / v
        })
        .collect();
    let mut s2 = Vec::new();
    if second_order {
        for j in 0..d {
            for l in j + 1..d {
                let vjl = idx
                    .iter()
                    .map(|&i| bl.ba[j][i] * bl.ab[l][i] - bl.a[i] * bl.b[i])
                    .sum::<f64>()
                    / n
                    / v;
                s2.push((j, l, vjl - s1[j] - s1[l]));
            }
        }
    }
    SobolIndices { s1, st, s2 }
}

fn sobol(
    ctx: &Ctx,
    means: &[f64],
    d: usize,
    second_order: bool,
    noise: Noise,
    out: &mut Vec<Estimate>,
) {
    // Centred on the mean of every row first, as SALib does (the first-order estimator is not
    // shift-invariant; centring lowers its variance).
    let centre = means.iter().sum::<f64>() / means.len() as f64;
    let centred: Vec<f64> = means.iter().map(|y| y - centre).collect();
    let bl = blocks(&centred, d, second_order);
    let n = bl.a.len();
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_indices(&bl, &all, noise, second_order);
    let boot: Vec<SobolIndices> = ctx
        .resamples(n, RESAMPLES)
        .iter()
        .map(|idx| sobol_indices(&bl, idx, noise, second_order))
        .collect();
    for j in 0..d {
        let s1: Vec<f64> = boot.iter().map(|b| b.s1[j]).collect();
        let st: Vec<f64> = boot.iter().map(|b| b.st[j]).collect();
        out.push(ctx.row(&ctx.names[j], "S1", point.s1[j], conf(&s1)));
        out.push(ctx.row(&ctx.names[j], "ST", point.st[j], conf(&st)));
    }
    for (q, &(j, l, s)) in point.s2.iter().enumerate() {
        let s2: Vec<f64> = boot.iter().map(|b| b.s2[q].2).collect();
        let name = format!("{}:{}", ctx.names[j], ctx.names[l]);
        out.push(ctx.row(&name, "S2", s, conf(&s2)));
    }
}

/// Elementary effects per parameter, from trajectories of d + 1 unit rows.
pub fn elementary_effects(rows: &[Vec<f64>], y: &[f64], levels: usize) -> Vec<Vec<f64>> {
    let none = vec![f64::NAN; y.len()];
    effects_with_noise(rows, y, &none, levels)
        .into_iter()
        .map(|e| e.into_iter().map(|(ee, _)| ee).collect())
        .collect()
}

/// Elementary effects per parameter with the noise variance of each: `step_noise[j]` is the
/// variance of y(j + 1) − y(j) that comes from the seeds, so an effect's is that over Δ².
fn effects_with_noise(
    rows: &[Vec<f64>],
    y: &[f64],
    step_noise: &[f64],
    levels: usize,
) -> Vec<Vec<(f64, f64)>> {
    let d = rows.first().map_or(0, Vec::len);
    let delta = sampling::morris_delta(levels);
    let mut effects = vec![Vec::new(); d];
    for (t, (xs, ys)) in rows.chunks(d + 1).zip(y.chunks(d + 1)).enumerate() {
        for s in 0..d {
            let Some(j) = (0..d).find(|&j| xs[s][j] != xs[s + 1][j]) else {
                continue;
            };
            let up = xs[s + 1][j] > xs[s][j];
            let (hi, lo) = if up {
                (ys[s + 1], ys[s])
            } else {
                (ys[s], ys[s + 1])
            };
            let noise = step_noise[t * (d + 1) + s] / (delta * delta);
            effects[j].push(((hi - lo) / delta, noise));
        }
    }
    effects
}

/// E|Z| / sd for a normal Z of mean 0: √(2/π).
const HALF_NORMAL_MEAN: f64 = 0.797_884_560_802_865_4;

fn morris(
    ctx: &Ctx,
    rows: &[Vec<f64>],
    means: &[f64],
    step_noise: &[f64],
    levels: usize,
    out: &mut Vec<Estimate>,
) {
    let effects = effects_with_noise(rows, means, step_noise, levels);
    for (j, pairs) in effects.iter().enumerate() {
        let ee: Vec<f64> = pairs.iter().map(|(e, _)| *e).collect();
        let m = Moments::from_values(ee.iter().copied());
        let mu_star = mean_of(ee.iter().map(|x| x.abs()));
        let boot: Vec<f64> = ctx
            .resamples(ee.len(), RESAMPLES)
            .iter()
            .map(|idx| mean_of(idx.iter().map(|&i| ee[i].abs())))
            .collect();
        // With replicates, each effect carries the seeds' noise, of variance v_e. It adds the mean
        // v_e to σ² (taken off for `sigma_corrected`), and gives a factor with no effect at all a
        // μ* of about mean √(2v_e/π) (`mu_star_noise`); a μ* that this floor plus 1.96 standard
        // errors of a mean of half-normal |N(0, v_e)| reaches is flagged: the seeds alone could
        // produce it.
        let noise: Vec<f64> = pairs.iter().map(|(_, v)| *v).collect();
        let noisy = ctx.replicates > 1 && !noise.is_empty() && noise.iter().all(|v| v.is_finite());
        let mut note = String::new();
        let mut extra = Vec::new();
        if noisy {
            let n = noise.len() as f64;
            let floor = noise
                .iter()
                .map(|v| HALF_NORMAL_MEAN * v.sqrt())
                .sum::<f64>()
                / n;
            let spread =
                (noise.iter().sum::<f64>() * (1.0 - 2.0 / std::f64::consts::PI)).sqrt() / n;
            if mu_star <= floor + Z95 * spread {
                note = WITHIN_NOISE.to_string();
            }
            let corrected = (m.sd().powi(2) - noise.iter().sum::<f64>() / n)
                .max(0.0)
                .sqrt();
            extra.push(ctx.row(&ctx.names[j], "sigma_corrected", corrected, f64::NAN));
            extra.push(ctx.row(&ctx.names[j], "mu_star_noise", floor, Z95 * spread));
        }
        out.push(ctx.row(&ctx.names[j], "mu", m.mean(), f64::NAN));
        out.push(Estimate {
            note,
            ..ctx.row(&ctx.names[j], "mu_star", mu_star, conf(&boot))
        });
        out.push(ctx.row(&ctx.names[j], "sigma", m.sd(), f64::NAN));
        out.extend(extra);
    }
}

/// A least-squares fit's standardised coefficients and R²s.
struct Fit {
    coefficients: Vec<f64>,
    /// Fitted variance over y's variance less the seeds' noise (may exceed 1: the noise estimate
    /// is itself noisy, and the fit's residual variance is biased down by its d parameters).
    r2: f64,
    /// Fitted variance over y's variance, noise and all.
    r2_raw: f64,
}

/// Standardised regression coefficients (and R²) of `y` on the columns of `x`, over rows `idx`;
/// `noise` is taken off y's variance.
fn src(x: &[Vec<f64>], y: &[f64], idx: &[usize], noise: f64) -> Fit {
    let d = x[0].len();
    let n = idx.len() as f64;
    let mx: Vec<f64> = (0..d)
        .map(|j| idx.iter().map(|&i| x[i][j]).sum::<f64>() / n)
        .collect();
    let my = idx.iter().map(|&i| y[i]).sum::<f64>() / n;
    // Normal equations on centred data: (XᵀX) b = Xᵀy.
    let mut a = vec![vec![0.0; d + 1]; d];
    for &i in idx {
        for j in 0..d {
            let xj = x[i][j] - mx[j];
            for l in 0..d {
                a[j][l] += xj * (x[i][l] - mx[l]);
            }
            a[j][d] += xj * (y[i] - my);
        }
    }
    let b = solve(a);
    let vy = idx.iter().map(|&i| (y[i] - my).powi(2)).sum::<f64>() / n;
    // Where the seeds' noise accounts for all of y's variance (as estimated), the parameters'
    // share is nil or negative and a coefficient standardised by it is not defined: NaN, not the
    // astronomical number a clamp to the smallest positive float would give.
    let vy_params = vy - noise;
    if vy_params <= 0.0 {
        return Fit {
            coefficients: vec![f64::NAN; d],
            r2: f64::NAN,
            r2_raw: f64::NAN,
        };
    }
    let sd_x: Vec<f64> = (0..d)
        .map(|j| (idx.iter().map(|&i| (x[i][j] - mx[j]).powi(2)).sum::<f64>() / n).sqrt())
        .collect();
    let fitted_var = idx
        .iter()
        .map(|&i| {
            (0..d)
                .map(|j| b[j] * (x[i][j] - mx[j]))
                .sum::<f64>()
                .powi(2)
        })
        .sum::<f64>()
        / n;
    Fit {
        coefficients: (0..d).map(|j| b[j] * sd_x[j] / vy_params.sqrt()).collect(),
        r2: fitted_var / vy_params,
        r2_raw: fitted_var / vy,
    }
}

/// Gaussian elimination with partial pivoting on the augmented matrix `a` (d × d+1).
fn solve(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let d = a.len();
    for c in 0..d {
        let pivot = (c..d)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, pivot);
        if a[c][c] == 0.0 {
            return vec![f64::NAN; d];
        }
        let row = a[c].clone();
        for (r, other) in a.iter_mut().enumerate() {
            if r != c {
                let f = other[c] / row[c];
                for (x, y) in other.iter_mut().zip(&row).skip(c) {
                    *x -= f * y;
                }
            }
        }
    }
    (0..d).map(|i| a[i][d] / a[i][i]).collect()
}

/// Resamples for the regression intervals (each costs a least-squares fit).
const REGRESSION_RESAMPLES: usize = 200;

fn regression(ctx: &Ctx, rows: &[Vec<f64>], means: &[f64], noise: f64, out: &mut Vec<Estimate>) {
    let n = means.len();
    let d = ctx.names.len();
    let all: Vec<usize> = (0..n).collect();
    let fit = src(rows, means, &all, noise);
    let resamples = ctx.resamples(n, REGRESSION_RESAMPLES);
    let boot: Vec<Fit> = resamples
        .iter()
        .map(|idx| src(rows, means, idx, noise))
        .collect();
    let ry = stats::ranks(means);
    let rx: Vec<Vec<f64>> = (0..d)
        .map(|j| stats::ranks(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .collect();
    for (j, ranks) in rx.iter().enumerate() {
        let b: Vec<f64> = boot.iter().map(|f| f.coefficients[j]).collect();
        out.push(ctx.row(&ctx.names[j], "src", fit.coefficients[j], conf(&b)));
        let rho = stats::correlation(ranks, &ry, &all);
        let rb: Vec<f64> = resamples
            .iter()
            .map(|idx| stats::correlation(ranks, &ry, idx))
            .collect();
        out.push(ctx.row(&ctx.names[j], "spearman", rho, conf(&rb)));
    }
    // A share of variance above 1 is no share: shown capped, with the uncapped value in the note.
    let r2b: Vec<f64> = boot.iter().map(|f| f.r2.min(1.0)).collect();
    let mut r2 = ctx.row("", "r2", fit.r2.min(1.0), conf(&r2b));
    if fit.r2 > 1.0 {
        r2.note = format!(
            "capped at 1: the noise-corrected R² is {:.4} (the seed-noise estimate is itself noisy)",
            fit.r2
        );
    }
    out.push(r2);
    let raw: Vec<f64> = boot.iter().map(|f| f.r2_raw).collect();
    out.push(ctx.row("", "r2_raw", fit.r2_raw, conf(&raw)));
}

/// `sensitivity.csv`: one row per estimate.
pub fn to_csv(s: &Sensitivity) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "method",
        "option",
        "metric",
        "parameter",
        "index",
        "estimate",
        "conf",
        "lo",
        "hi",
        "samples",
        "replicates",
        "note",
    ]);
    let num = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x}")
        }
    };
    for e in &s.estimates {
        let _ = w.write_record([
            e.method.to_string(),
            e.option.clone(),
            e.metric.clone(),
            e.parameter.clone(),
            e.index.to_string(),
            num(e.estimate),
            num(e.conf),
            num(e.estimate - e.conf),
            num(e.estimate + e.conf),
            e.samples.to_string(),
            e.replicates.to_string(),
            e.note.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// SALib's `problem` for the design: `num_vars`, `names`, `bounds`, `dists`, plus the fields
/// orgsim adds for a reader (`method`, `second_order`, `levels`, the row layout, each factor's
/// kind and the choices of a list).
///
/// SALib's conventions (`SALib.util._nonuniform_scale_samples`, 1.5): `unif` [lo, hi];
/// `logunif` [lo, hi]; `triang` [lo, hi, c] with c the peak's position as a share of the width,
/// 0 ≤ c < 1 and hi ≥ 0 (SALib refuses a peak at the upper bound, and a range wholly below 0);
/// `truncnorm` [lo, hi, mean, sd] (scipy's truncnorm on the standardised bounds). A list of c
/// choices is `unif` [0, c], choice ⌊value⌋; a whole-number parameter has no SALib counterpart:
/// orgsim takes ⌊lo + u(hi − lo + 1)⌋ of a uniform range and rounds the other distributions.
pub fn salib_problem(s: &Sensitivity) -> String {
    let design = &s.design;
    let layout = match design.method.as_str() {
        "sobol" if design.second_order => {
            "for each base row: A, AB_1..AB_d, BA_1..BA_d, B (SALib sobol.sample, calc_second_order=True)"
        }
        "sobol" => {
            "for each base row: A, AB_1..AB_d, B (SALib sobol.sample, calc_second_order=False)"
        }
        "morris" => "trajectories stacked, d+1 rows each (SALib morris.sample)",
        _ => "one row per point",
    };
    let json = serde_json::json!({
        "num_vars": design.factors.len(),
        "names": design.factors.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        "bounds": design.factors.iter().map(|f| f.bounds.clone()).collect::<Vec<_>>(),
        "dists": design.factors.iter().map(|f| f.dist.clone()).collect::<Vec<_>>(),
        "orgsim": {
            "method": design.method,
            "n": design.n,
            "levels": design.levels,
            "second_order": design.second_order,
            "common_random_numbers": design.common_random_numbers,
            "design_points": design.points,
            "row_order": layout,
            "point_id": "option index x design_points + row",
            "kinds": design.factors.iter().zip(&s.whole).map(|(f, &whole)| {
                if !f.choices.is_empty() { "choices" } else if whole { "whole" } else { "real" }
            }).collect::<Vec<_>>(),
            "choices": design.factors.iter().filter(|f| !f.choices.is_empty()).map(|f| {
                let names: Vec<String> = f.choices.iter().map(crate::analysis::saved::show_value).collect();
                (f.name.clone(), serde_json::json!(names))
            }).collect::<serde_json::Map<String, serde_json::Value>>(),
        },
    });
    serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
}

/// Groups estimates by (option, metric), in order of appearance.
pub fn groups(s: &Sensitivity) -> Vec<((String, String), Vec<&Estimate>)> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut map: HashMap<(String, String), Vec<&Estimate>> = HashMap::new();
    for e in &s.estimates {
        let key = (e.option.clone(), e.metric.clone());
        if !map.contains_key(&key) {
            order.push(key.clone());
        }
        map.entry(key).or_default().push(e);
    }
    order
        .into_iter()
        .map(|k| {
            let v = map.remove(&k).unwrap_or_default();
            (k, v)
        })
        .collect()
}

/// A terminal table: per option and metric, each parameter's main indices.
pub fn to_table(s: &Sensitivity) -> String {
    let mut out = String::new();
    for ((option, metric), rows) in groups(s) {
        let title = if option.is_empty() {
            metric.clone()
        } else {
            format!("{metric}, option \"{option}\"")
        };
        out += &format!("{title} — {} sensitivity\n", s.design.method);
        for e in rows {
            let ci = if e.conf.is_nan() {
                String::new()
            } else {
                format!(" ± {:.3}", e.conf)
            };
            let name = if e.parameter.is_empty() {
                "(model)"
            } else {
                e.parameter.as_str()
            };
            out += &format!("  {:<24} {:<18} {:>10.4}{ci}\n", name, e.index, e.estimate);
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_a_plane() {
        let x: Vec<Vec<f64>> = (0..20)
            .map(|i| vec![i as f64, ((i * 7) % 5) as f64])
            .collect();
        let y: Vec<f64> = x.iter().map(|r| 2.0 * r[0] - 3.0 * r[1] + 1.0).collect();
        let idx: Vec<usize> = (0..20).collect();
        let fit = src(&x, &y, &idx, 0.0);
        assert!((fit.r2 - 1.0).abs() < 1e-9 && (fit.r2_raw - 1.0).abs() < 1e-9);
        // Noise as large as y's whole variance leaves the parameters nothing to explain: the
        // coefficients are undefined, not astronomically large.
        let vy = {
            let m = y.iter().sum::<f64>() / 20.0;
            y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 20.0
        };
        let fit = src(&x, &y, &idx, vy);
        assert!(
            fit.coefficients.iter().all(|v| v.is_nan()) && fit.r2.is_nan(),
            "{:?} {}",
            fit.coefficients,
            fit.r2
        );
        let fit = src(&x, &y, &idx, 0.5 * vy);
        assert!(fit.coefficients.iter().all(|v| v.is_finite()));
        // An exact plane with noise said to be half of y's variance: the corrected R² is 2.
        assert!((fit.r2 - 2.0).abs() < 1e-9 && (fit.r2_raw - 1.0).abs() < 1e-9);
    }
}
