//! Robust choice among options across a design of uncertain context: regret, satisficing and
//! scenario discovery, on common random numbers.
//!
//! For a saved run whose `[[option]]`s are crossed with a `[design]` (every option at every design
//! point, replicate r on the same streams everywhere), on one metric:
//! - the replicate mean m(o, j) of option o at design point j, and its **regret** there,
//!   max_o' m(o', j) − m(o, j) (min and the sign reversed for a metric where lower is better);
//!   with common random numbers this is a mean of paired differences, replicate by replicate;
//! - per option, over the design points: the **expected value** (mean of m), **mean regret**, a
//!   **percentile** of regret (90th by default; linear interpolation, R's type 7), the **maximum
//!   regret** observed, the **share of points where it is best** (ties shared), and the
//!   **satisficing share** (points where the mean reaches a threshold, on the metric or another,
//!   or on the difference from the baseline option);
//! - 95% intervals by a two-level bootstrap: design points drawn with replacement and, within each,
//!   replicates drawn with replacement (the same draw for every option, so pairs stay pairs), 1000
//!   resamples; the interval is the 2.5–97.5% spread of the resamples around their mean, placed
//!   around the estimate (and kept within 0 and, for shares, 1), because the resampled replicates
//!   add noise a second time and shift the best-of-means statistics. The maximum gets none: a bootstrap maximum can never
//!   exceed the sample's, so its distribution is degenerate at the top and the interval
//!   inconsistent (Bickel & Freedman 1981); it is reported as observed;
//! - `regret_bias`: the bootstrap estimate (replicates resampled, points fixed) of how much mean
//!   regret is inflated by noise. Regret is measured against the best of noisy means, and the
//!   maximum of noisy means is biased upward (E max ≥ max E), more so with fewer replicates and
//!   options that are close; the bias shrinks like the standard error of a paired difference,
//!   1/√R (docs/outputs-and-analysis.md has measured values).
//!
//! Which option minimises the maximum regret (Savage's minimax regret) and which maximises the
//! expected value are reported, and whether they agree. The results depend only on the saved
//! files and fixed bootstrap seeds, never on threads.

use std::path::Path;

use rand::Rng as _;

use crate::engine::rng;
use crate::error::InputError;
use crate::output::files;
use crate::output::manifest::{Manifest, MetricInfo};
use crate::scenario::robust::{self, Case, Names};
use crate::stats;

use super::prim::{self, Kind};

/// The files this module writes.
pub const ROBUSTNESS: &str = "robustness.csv";
pub const REGRET: &str = "regret.csv";
pub const PRIM_BOXES: &str = "prim_boxes.csv";
pub const PRIM_TRAJECTORY: &str = "prim_trajectory.csv";
pub const PRIM_INPUT: &str = "prim_input.csv";

/// Bootstrap resamples for the intervals, and for the bias of regret.
pub const RESAMPLES: usize = 1000;
const BIAS_RESAMPLES: usize = 200;
/// The default percentile of regret.
pub const DEFAULT_PERCENTILE: f64 = 90.0;

/// Command-line overrides of `[robustness]`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub metric: Option<String>,
    pub percentile: Option<f64>,
    pub threshold: Option<f64>,
    pub threshold_metric: Option<String>,
    pub from_baseline: bool,
    /// `--case`: replaces the file's cases.
    pub cases: Vec<String>,
}

/// The settings in force: the file's `[robustness]`, overridden by flags, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub metric: String,
    pub percentile: f64,
    pub threshold: Option<f64>,
    pub threshold_metric: String,
    pub from_baseline: bool,
    pub cases: Vec<Case>,
    pub case_texts: Vec<String>,
}

/// An estimate with its 95% bootstrap interval (NaN bounds where there is none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One option's robustness.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionRobustness {
    pub option: String,
    pub expected_value: Stat,
    pub mean_regret: Stat,
    pub percentile_regret: Stat,
    pub max_regret: f64,
    pub share_best: Stat,
    pub satisficing: Option<Stat>,
    pub regret_bias: f64,
}

/// The design's uncertain parameters, one value per design point (categorical: the index).
#[derive(Debug, Clone)]
pub struct Factors {
    pub names: Vec<String>,
    pub kinds: Vec<Kind>,
    pub columns: Vec<Vec<f64>>,
}

/// The replicate values of the options at the design points.
#[derive(Debug, Clone)]
pub struct Table {
    pub options: Vec<String>,
    pub baseline: usize,
    pub points: usize,
    pub replicates: usize,
    pub metrics: Vec<MetricInfo>,
    /// `values[((o * points + j) * replicates + r) * metrics + m]`.
    values: Vec<f64>,
    pub factors: Factors,
}

impl Table {
    fn at(&self, o: usize, j: usize, r: usize, m: usize) -> f64 {
        self.values[((o * self.points + j) * self.replicates + r) * self.metrics.len() + m]
    }

    /// The replicate mean of metric `m` for option `o` at point `j`.
    pub fn mean(&self, o: usize, j: usize, m: usize) -> f64 {
        (0..self.replicates)
            .map(|r| self.at(o, j, r, m))
            .sum::<f64>()
            / self.replicates as f64
    }

    pub fn metric_index(&self, name: &str) -> usize {
        self.metrics
            .iter()
            .position(|m| m.name == name)
            .unwrap_or(0)
    }
}

/// The whole analysis.
#[derive(Debug, Clone)]
pub struct Robustness {
    pub config: Config,
    pub metric: MetricInfo,
    pub points: usize,
    pub replicates: usize,
    pub options: Vec<OptionRobustness>,
    /// `regret[o][j]` and `means[o][j]` on the metric.
    pub regret: Vec<Vec<f64>>,
    pub means: Vec<Vec<f64>>,
    /// The option best at each point (the first of equals).
    pub best: Vec<usize>,
    pub minimax: usize,
    pub max_expected: usize,
    pub factors: Factors,
    /// The factors ordered by influence on regret (see [`influence`]), with their scores.
    pub influence: Vec<(usize, f64)>,
    pub baseline: usize,
}

/// Whether a saved directory is a design crossed with two or more options.
pub fn applies(manifest: &Manifest) -> bool {
    manifest.design.is_some() && manifest.options.len() >= 2
}

fn names_of(manifest: &Manifest) -> (Vec<String>, Vec<String>) {
    (
        manifest.metrics.iter().map(|m| m.name.clone()).collect(),
        manifest.options.iter().map(|o| o.name.clone()).collect(),
    )
}

/// The settings: `[robustness]` from the saved scenario text, then the flags.
pub fn config(dir: &Path, manifest: &Manifest, flags: &Overrides) -> Result<Config, InputError> {
    let (metrics, options) = names_of(manifest);
    let names = Names {
        metrics: &metrics,
        options: &options,
        baseline: manifest.baseline.as_deref(),
    };
    let file = format!(
        "{} (the scenario kept in {})",
        manifest.scenario.file,
        dir.join(files::MANIFEST).display()
    );
    let settings = robust::from_text(&file, &manifest.scenario.text, &names)?;
    let check_metric = |flag: &str, name: &str| {
        if metrics.iter().any(|m| m == name) {
            Ok(name.to_string())
        } else {
            Err(InputError::new(
                flag,
                format!(
                    "unknown metric \"{name}\"; metrics: {}{}",
                    metrics.join(", "),
                    crate::suggest::did_you_mean(name, metrics.iter().map(String::as_str))
                ),
            ))
        }
    };
    let metric = match (&flags.metric, &settings.metric) {
        (Some(m), _) => check_metric("--metric", m)?,
        (None, Some(m)) => m.clone(),
        (None, None) => manifest
            .metrics
            .iter()
            .find(|m| m.headline)
            .or(manifest.metrics.first())
            .map(|m| m.name.clone())
            .unwrap_or_default(),
    };
    let percentile = flags
        .percentile
        .or(settings.percentile)
        .unwrap_or(DEFAULT_PERCENTILE);
    if !(0.0..=100.0).contains(&percentile) {
        return Err(InputError::new(
            "--percentile",
            format!("{percentile} must lie from 0 to 100"),
        ));
    }
    let threshold = flags.threshold.or(settings.threshold);
    let threshold_metric = match (&flags.threshold_metric, &settings.threshold_metric) {
        (Some(m), _) => check_metric("--threshold-metric", m)?,
        (None, Some(m)) => m.clone(),
        (None, None) => metric.clone(),
    };
    let from_baseline = flags.from_baseline || settings.from_baseline;
    if threshold.is_none() && (flags.threshold_metric.is_some() || flags.from_baseline) {
        return Err(InputError::new(
            "--threshold",
            "--threshold-metric and --from-baseline describe a threshold; give --threshold V",
        ));
    }
    let case_texts = if flags.cases.is_empty() {
        settings.cases
    } else {
        flags.cases.clone()
    };
    let cases = case_texts
        .iter()
        .map(|c| robust::parse_case(c, &names).map_err(|m| InputError::new("--case", m)))
        .collect::<Result<_, _>>()?;
    Ok(Config {
        metric,
        percentile,
        threshold,
        threshold_metric,
        from_baseline,
        cases,
        case_texts,
    })
}

/// Reads the design's factor values per point and every metric's replicate values (one pass over
/// runs.csv); refuses a directory where some option, point or replicate has no run, since regret
/// needs every pair.
pub fn load(dir: &Path, manifest: &Manifest) -> Result<Table, InputError> {
    let design = manifest.design.as_ref().ok_or_else(|| {
        InputError::new(
            "DIR",
            format!(
                "{}: not a design run (its scenario has no [design]); robustness compares options across a design",
                dir.display()
            ),
        )
    })?;
    if manifest.options.len() < 2 {
        return Err(InputError::new(
            "DIR",
            format!(
                "{}: robustness compares two or more [[option]]s across the design; this run has {}",
                dir.display(),
                manifest.options.len()
            ),
        ));
    }
    let points = design.points;
    let options: Vec<String> = manifest.options.iter().map(|o| o.name.clone()).collect();
    let reps = manifest.replications as usize;
    let k = manifest.metrics.len();
    let mut values = vec![f64::NAN; options.len() * points * reps * k];
    let mut seen = vec![false; options.len() * points * reps];
    let path = dir.join(files::RUNS);
    super::sensitivity::stream_runs(
        &path,
        &path.display().to_string(),
        manifest,
        |point, r, row| {
            let (o, j) = (point / points, point % points);
            seen[(o * points + j) * reps + r] = true;
            let at = ((o * points + j) * reps + r) * k;
            values[at..at + k].copy_from_slice(row);
        },
    )?;
    if let Some(missing) = seen.iter().position(|s| !s) {
        let (o, j, r) = (
            missing / (points * reps),
            missing / reps % points,
            missing % reps,
        );
        return Err(InputError::new(
            dir.join(files::RUNS).display().to_string(),
            format!(
                "option \"{}\" at design point {j} has no run for replicate {r} (see failures.csv); regret needs every option at every point and replicate",
                options[o]
            ),
        ));
    }
    let model = crate::models::find(&manifest.model);
    let mut factors = Factors {
        names: Vec::new(),
        kinds: Vec::new(),
        columns: Vec::new(),
    };
    for f in &design.factors {
        let whole = model
            .and_then(|m| crate::scenario::find_param(m, &f.name).ok())
            .is_some_and(|spec| matches!(spec.domain, crate::engine::params::Domain::Int { .. }));
        let texts = !f.choices.is_empty() && f.choices.iter().all(|c| c.is_string());
        let kind = if texts {
            Kind::Categorical(
                f.choices
                    .iter()
                    .map(|c| c.as_str().unwrap_or("").to_string())
                    .collect(),
            )
        } else if whole {
            Kind::Whole
        } else {
            Kind::Real
        };
        let column = (0..points)
            .map(|j| {
                let v = manifest.points.get(j).and_then(|p| p.params.get(&f.name));
                match (&kind, v) {
                    (Kind::Categorical(names), Some(v)) => names
                        .iter()
                        .position(|n| Some(n.as_str()) == v.as_str())
                        .map_or(f64::NAN, |i| i as f64),
                    (_, Some(v)) => v.as_f64().unwrap_or(f64::NAN),
                    (_, None) => f64::NAN,
                }
            })
            .collect();
        factors.names.push(f.name.clone());
        factors.kinds.push(kind);
        factors.columns.push(column);
    }
    let baseline = manifest
        .baseline
        .as_ref()
        .and_then(|b| options.iter().position(|o| o == b))
        .unwrap_or(0);
    Ok(Table {
        options,
        baseline,
        points,
        replicates: reps,
        metrics: manifest.metrics.clone(),
        values,
        factors,
    })
}

/// The R type-7 percentile (q in 0..=100) of `values`.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * q / 100.0;
    let (i, f) = (h.floor() as usize, h - h.floor());
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    sorted[i] + f * (next - sorted[i])
}

/// Per-option summaries of one (re)sample: for each option, (expected value, mean regret,
/// percentile regret, max regret, share best, satisficing share).
struct Summary {
    per_option: Vec<[f64; 6]>,
}

/// `means[o][j]` (metric) and `levels[o][j]` (threshold metric) → the summaries.
fn summarise(
    means: &[Vec<f64>],
    levels: &[Vec<f64>],
    sign: f64,
    threshold_sign: f64,
    config: &Config,
    baseline: usize,
) -> Summary {
    let options = means.len();
    let points = means[0].len();
    let mut regret = vec![vec![0.0; points]; options];
    let mut best_share = vec![0.0; options];
    for j in 0..points {
        let top = (0..options)
            .map(|o| sign * means[o][j])
            .fold(f64::NEG_INFINITY, f64::max);
        let winners: Vec<usize> = (0..options)
            .filter(|&o| sign * means[o][j] == top)
            .collect();
        for &w in &winners {
            best_share[w] += 1.0 / winners.len() as f64;
        }
        for o in 0..options {
            regret[o][j] = top - sign * means[o][j];
        }
    }
    let per_option = (0..options)
        .map(|o| {
            let ev = means[o].iter().sum::<f64>() / points as f64;
            let mean_regret = regret[o].iter().sum::<f64>() / points as f64;
            let pct = percentile(&regret[o], config.percentile);
            let max = regret[o].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let satisficing = match config.threshold {
                Some(t) => {
                    (0..points)
                        .filter(|&j| {
                            let v = if config.from_baseline {
                                levels[o][j] - levels[baseline][j]
                            } else {
                                levels[o][j]
                            };
                            threshold_sign * v >= threshold_sign * t
                        })
                        .count() as f64
                        / points as f64
                }
                None => f64::NAN,
            };
            [
                ev,
                mean_regret,
                pct,
                max,
                best_share[o] / points as f64,
                satisficing,
            ]
        })
        .collect();
    Summary { per_option }
}

/// The robustness analysis of a loaded table.
pub fn analyse(table: &Table, config: &Config, seed: u64) -> Robustness {
    let m = table.metric_index(&config.metric);
    let tm = table.metric_index(&config.threshold_metric);
    let metric = table.metrics[m].clone();
    let sign = if metric.higher_is_better { 1.0 } else { -1.0 };
    let threshold_sign = if table.metrics[tm].higher_is_better {
        1.0
    } else {
        -1.0
    };
    let (options, points, reps) = (table.options.len(), table.points, table.replicates);
    let grid = |metric: usize| -> Vec<Vec<f64>> {
        (0..options)
            .map(|o| (0..points).map(|j| table.mean(o, j, metric)).collect())
            .collect()
    };
    let means = grid(m);
    let levels = grid(tm);
    let point_summary = summarise(
        &means,
        &levels,
        sign,
        threshold_sign,
        config,
        table.baseline,
    );

    // Two-level bootstrap: points, then replicates within each point (shared by the options).
    let mut rng = rng::stream(rng::mix64(seed ^ 0x0B05_7E55), 0xB007);
    let resample = |rng: &mut rng::Rng, fixed_points: bool| {
        let mut rm = vec![vec![0.0; points]; options];
        let mut rl = vec![vec![0.0; points]; options];
        for slot in 0..points {
            let j = if fixed_points {
                slot
            } else {
                rng.random_range(0..points)
            };
            let draws: Vec<usize> = (0..reps).map(|_| rng.random_range(0..reps)).collect();
            for o in 0..options {
                rm[o][slot] =
                    draws.iter().map(|&r| table.at(o, j, r, m)).sum::<f64>() / reps as f64;
                rl[o][slot] = if tm == m {
                    rm[o][slot]
                } else {
                    draws.iter().map(|&r| table.at(o, j, r, tm)).sum::<f64>() / reps as f64
                };
            }
        }
        summarise(&rm, &rl, sign, threshold_sign, config, table.baseline)
    };
    let boots: Vec<Summary> = (0..RESAMPLES).map(|_| resample(&mut rng, false)).collect();
    let bias_boots: Vec<Summary> = (0..BIAS_RESAMPLES)
        .map(|_| resample(&mut rng, true))
        .collect();
    // The spread of the resampled statistic, placed around the estimate: resampling replicates
    // adds a second round of noise to the means, which moves the best-of-means statistics (regret
    // up, shares of best and satisficing towards the middle) by about the bias of the first round;
    // the plain percentile interval would inherit that shift and can miss its own estimate.
    let stat = |o: usize, i: usize| {
        let draws: Vec<f64> = boots.iter().map(|b| b.per_option[o][i]).collect();
        let centre = draws.iter().sum::<f64>() / draws.len() as f64;
        let estimate = point_summary.per_option[o][i];
        let (floor, ceiling) = if i >= 4 {
            (0.0, 1.0)
        } else if i >= 1 {
            (0.0, f64::INFINITY)
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        Stat {
            estimate,
            lo: (estimate - (centre - percentile(&draws, 2.5))).clamp(floor, ceiling),
            hi: (estimate + (percentile(&draws, 97.5) - centre)).clamp(floor, ceiling),
        }
    };
    let rows: Vec<OptionRobustness> = (0..options)
        .map(|o| {
            let bias = bias_boots.iter().map(|b| b.per_option[o][1]).sum::<f64>()
                / BIAS_RESAMPLES as f64
                - point_summary.per_option[o][1];
            OptionRobustness {
                option: table.options[o].clone(),
                expected_value: stat(o, 0),
                mean_regret: stat(o, 1),
                percentile_regret: stat(o, 2),
                max_regret: point_summary.per_option[o][3],
                share_best: stat(o, 4),
                satisficing: config.threshold.map(|_| stat(o, 5)),
                regret_bias: bias,
            }
        })
        .collect();
    let regret: Vec<Vec<f64>> = (0..options)
        .map(|o| {
            (0..points)
                .map(|j| {
                    let top = (0..options)
                        .map(|x| sign * means[x][j])
                        .fold(f64::NEG_INFINITY, f64::max);
                    top - sign * means[o][j]
                })
                .collect()
        })
        .collect();
    let best: Vec<usize> = (0..points)
        .map(|j| (0..options).find(|&o| regret[o][j] == 0.0).unwrap_or(0))
        .collect();
    let first_min = |key: &dyn Fn(usize) -> f64| {
        (0..options).fold(0, |b, o| if key(o) < key(b) { o } else { b })
    };
    let minimax = first_min(&|o| rows[o].max_regret);
    let max_expected = first_min(&|o| -sign * rows[o].expected_value.estimate);
    let influence = influence(&table.factors, &regret);
    Robustness {
        config: config.clone(),
        metric,
        points,
        replicates: reps,
        options: rows,
        regret,
        means,
        best,
        minimax,
        max_expected,
        factors: table.factors.clone(),
        influence,
        baseline: table.baseline,
    }
}

/// The factors ordered by how much they move regret: Σ over options of the squared Spearman
/// correlation between the factor and the option's regret across the design points (a categorical
/// factor by its correlation ratio η² instead, which needs no order). The winner map uses the top
/// two: where these change, which option is best changes most.
pub fn influence(factors: &Factors, regret: &[Vec<f64>]) -> Vec<(usize, f64)> {
    let mut scores: Vec<(usize, f64)> = (0..factors.names.len())
        .map(|f| {
            let x = &factors.columns[f];
            let score = regret
                .iter()
                .map(|r| match &factors.kinds[f] {
                    Kind::Categorical(names) => eta_squared(x, r, names.len()),
                    _ => {
                        let all: Vec<usize> = (0..x.len()).collect();
                        let rho = stats::correlation(&stats::ranks(x), &stats::ranks(r), &all);
                        // A constant factor or regret moves nothing.
                        if rho.is_finite() { rho.powi(2) } else { 0.0 }
                    }
                })
                .sum::<f64>();
            (f, score)
        })
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scores
}

fn eta_squared(groups: &[f64], y: &[f64], count: usize) -> f64 {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    let mut sums = vec![(0.0, 0.0); count];
    for (g, v) in groups.iter().zip(y) {
        let s = &mut sums[*g as usize];
        s.0 += v;
        s.1 += 1.0;
    }
    let between: f64 = sums
        .iter()
        .filter(|s| s.1 > 0.0)
        .map(|s| s.1 * (s.0 / s.1 - mean).powi(2))
        .sum();
    between / total
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// `robustness.csv`: one row per option and statistic (tidy).
pub fn to_csv(r: &Robustness) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "option",
        "metric",
        "statistic",
        "estimate",
        "lo",
        "hi",
        "points",
        "replicates",
        "note",
    ]);
    let pct = format!(
        "regret_p{}",
        crate::analysis::saved::show_number(r.config.percentile)
    );
    for o in &r.options {
        let mut rows: Vec<(String, String, Stat, String)> = vec![
            (
                "expected_value".into(),
                r.config.metric.clone(),
                o.expected_value,
                String::new(),
            ),
            (
                "mean_regret".into(),
                r.config.metric.clone(),
                o.mean_regret,
                String::new(),
            ),
            (
                pct.clone(),
                r.config.metric.clone(),
                o.percentile_regret,
                String::new(),
            ),
            (
                "max_regret".into(),
                r.config.metric.clone(),
                Stat {
                    estimate: o.max_regret,
                    lo: f64::NAN,
                    hi: f64::NAN,
                },
                "as observed; no bootstrap interval for a maximum".into(),
            ),
            (
                "share_best".into(),
                r.config.metric.clone(),
                o.share_best,
                String::new(),
            ),
            (
                "regret_bias".into(),
                r.config.metric.clone(),
                Stat {
                    estimate: o.regret_bias,
                    lo: f64::NAN,
                    hi: f64::NAN,
                },
                "bootstrap estimate of the upward bias of mean_regret from noisy means".into(),
            ),
        ];
        if let (Some(s), Some(t)) = (o.satisficing, r.config.threshold) {
            let what = if r.config.from_baseline {
                format!("difference from the baseline reaches {t}")
            } else {
                format!("reaches {t}")
            };
            rows.push((
                "satisficing_share".into(),
                r.config.threshold_metric.clone(),
                s,
                what,
            ));
        }
        for (statistic, metric, s, note) in rows {
            let _ = w.write_record([
                o.option.clone(),
                metric,
                statistic,
                num(s.estimate),
                num(s.lo),
                num(s.hi),
                r.points.to_string(),
                r.replicates.to_string(),
                note,
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `regret.csv`: per design point and option, the replicate mean and the regret.
pub fn regret_csv(r: &Robustness) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["design_point".to_string()];
    header.extend(r.factors.names.iter().cloned());
    header.extend(["option", "metric", "mean", "regret", "best"].map(String::from));
    let _ = w.write_record(&header);
    for (o, opt) in r.options.iter().enumerate() {
        for j in 0..r.points {
            let mut row = vec![j.to_string()];
            row.extend(factor_cells(&r.factors, j));
            row.extend([
                opt.option.clone(),
                r.config.metric.clone(),
                format!("{}", r.means[o][j]),
                format!("{}", r.regret[o][j]),
                (r.best[j] == o).to_string(),
            ]);
            let _ = w.write_record(&row);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn factor_cells(factors: &Factors, j: usize) -> Vec<String> {
    factors
        .kinds
        .iter()
        .zip(&factors.columns)
        .map(|(kind, col)| match kind {
            Kind::Categorical(names) => names.get(col[j] as usize).cloned().unwrap_or_default(),
            Kind::Whole => format!("{}", col[j] as i64),
            // Always with a decimal point, so a reader (pandas) takes the column as real.
            Kind::Real => format!("{:?}", col[j]),
        })
        .collect()
}

/// A number for the table: 3 significant digits.
fn show(x: f64) -> String {
    crate::analysis::format::sig(x, 3)
}

fn with_interval(s: &Stat) -> String {
    if s.lo.is_nan() {
        show(s.estimate)
    } else {
        format!("{} [{}, {}]", show(s.estimate), show(s.lo), show(s.hi))
    }
}

fn share(s: &Stat) -> String {
    format!(
        "{:.0}% [{:.0}, {:.0}]",
        100.0 * s.estimate,
        100.0 * s.lo,
        100.0 * s.hi
    )
}

/// The options in the table's order: by the chosen percentile of regret, then mean regret.
pub fn ranked(r: &Robustness) -> Vec<usize> {
    let mut order: Vec<usize> = (0..r.options.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&r.options[a], &r.options[b]);
        x.percentile_regret
            .estimate
            .total_cmp(&y.percentile_regret.estimate)
            .then(x.mean_regret.estimate.total_cmp(&y.mean_regret.estimate))
    });
    order
}

/// The verdict in one sentence: which option minimises maximum regret, which maximises the
/// expected value, and whether they agree.
pub fn verdict(r: &Robustness) -> String {
    let (a, b) = (
        &r.options[r.minimax].option,
        &r.options[r.max_expected].option,
    );
    if r.minimax == r.max_expected {
        format!(
            "\"{a}\" both minimises the maximum regret and maximises the expected {}: the robust and the average choice agree.",
            r.metric.label().to_lowercase()
        )
    } else {
        format!(
            "\"{a}\" minimises the maximum regret, but \"{b}\" maximises the expected {}: the robust and the average choice differ.",
            r.metric.label().to_lowercase()
        )
    }
}

/// The terminal table.
pub fn to_table(r: &Robustness) -> String {
    let pct = crate::analysis::saved::show_number(r.config.percentile);
    let mut out = format!(
        "Robustness of {} ({}) across {} design points × {} replicates; regret = best option's mean − this option's, at each point; 95% bootstrap intervals\n",
        r.metric.label(),
        r.config.metric,
        r.points,
        r.replicates
    );
    let mut header = vec![
        "option".to_string(),
        "expected value".into(),
        "mean regret".into(),
        format!("p{pct} regret"),
        "max regret".into(),
        "best at".into(),
    ];
    if r.config.threshold.is_some() {
        header.push("satisficing".into());
    }
    let mut rows = vec![header];
    for &o in &ranked(r) {
        let x = &r.options[o];
        let mut row = vec![
            x.option.clone(),
            with_interval(&x.expected_value),
            with_interval(&x.mean_regret),
            with_interval(&x.percentile_regret),
            show(x.max_regret),
            share(&x.share_best),
        ];
        if let Some(s) = &x.satisficing {
            row.push(share(s));
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out += line.join("  ").trim_end();
        out += "\n";
    }
    out += &verdict(r);
    out += "\n";
    if let Some(t) = r.config.threshold {
        out += &format!(
            "Satisficing: {} {} {t}{}.\n",
            r.config.threshold_metric,
            if r.metric.higher_is_better {
                "at least"
            } else {
                "at most"
            },
            if r.config.from_baseline {
                " above the baseline"
            } else {
                ""
            }
        );
    }
    let worst_bias = r.options.iter().map(|o| o.regret_bias).fold(0.0, f64::max);
    out += &format!(
        "Noise inflates mean regret by about {} at most (bootstrap over replicates); more replicates shrink it.\n",
        show(worst_bias)
    );
    out
}

/// The case of interest at each design point.
pub fn evaluate(table: &Table, metric: &str, case: &Case) -> Vec<bool> {
    let m = table.metric_index(metric);
    let sign_of = |mi: usize| {
        if table.metrics[mi].higher_is_better {
            1.0
        } else {
            -1.0
        }
    };
    let idx = |name: &str| table.options.iter().position(|o| o == name).unwrap_or(0);
    (0..table.points)
        .map(|j| match case {
            Case::Best { option, negate } => {
                let o = idx(option);
                let s = sign_of(m);
                let best = (0..table.options.len())
                    .all(|x| s * table.mean(o, j, m) >= s * table.mean(x, j, m));
                best != *negate
            }
            Case::Beats {
                option,
                other,
                by,
                metric: on,
            } => {
                let mi = on.as_deref().map_or(m, |n| table.metric_index(n));
                let s = sign_of(mi);
                s * (table.mean(idx(option), j, mi) - table.mean(idx(other), j, mi)) > *by
            }
            Case::Level {
                metric: on,
                option,
                above,
                value,
            } => {
                let mi = table.metric_index(on);
                let holds = |o: usize| {
                    let v = table.mean(o, j, mi);
                    if *above { v > *value } else { v < *value }
                };
                match option {
                    Some(name) => holds(idx(name)),
                    None => (0..table.options.len()).all(holds),
                }
            }
        })
        .collect()
}

/// PRIM's input for a case: the design's factors and the case per point.
pub fn prim_data(table: &Table, case: Vec<bool>) -> prim::Data {
    prim::Data {
        names: table.factors.names.clone(),
        kinds: table.factors.kinds.clone(),
        columns: table.factors.columns.clone(),
        case,
    }
}

/// `prim_input.csv`: the factors and the case (0/1), as `scripts/prim_check.py` reads it.
pub fn prim_input_csv(data: &prim::Data) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = data.names.clone();
    header.push("case".into());
    let _ = w.write_record(&header);
    let factors = Factors {
        names: data.names.clone(),
        kinds: data.kinds.clone(),
        columns: data.columns.clone(),
    };
    for (j, &c) in data.case.iter().enumerate() {
        let mut row = factor_cells(&factors, j);
        row.push(u8::from(c).to_string());
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One case's discovered boxes.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub case: String,
    pub cases: usize,
    pub points: usize,
    pub data: prim::Data,
    pub boxes: Vec<prim::PrimBox>,
}

/// Runs PRIM for every case of the config.
pub fn discover(table: &Table, config: &Config, settings: prim::Settings) -> Vec<Discovery> {
    config
        .cases
        .iter()
        .zip(&config.case_texts)
        .map(|(case, text)| {
            let y = evaluate(table, &config.metric, case);
            let data = prim_data(table, y);
            let boxes = prim::find_boxes(&data, settings);
            Discovery {
                case: text.clone(),
                cases: data.case.iter().filter(|&&c| c).count(),
                points: data.case.len(),
                data,
                boxes,
            }
        })
        .collect()
}

fn limit_cells(data: &prim::Data, c: usize, limit: &prim::Limit) -> (String, String, String) {
    match (limit, &data.kinds[c]) {
        (prim::Limit::Range(lo, hi), _) => (format!("{lo}"), format!("{hi}"), String::new()),
        (prim::Limit::Categories(set), Kind::Categorical(names)) => (
            String::new(),
            String::new(),
            set.iter()
                .map(|&i| names.get(i).cloned().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("|"),
        ),
        _ => Default::default(),
    }
}

/// `prim_boxes.csv`: per case and box, the chosen step's statistics and one row per restricted
/// parameter with its limits and quasi-p values.
pub fn boxes_csv(found: &[Discovery]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "case",
        "box",
        "step",
        "coverage",
        "density",
        "mass",
        "n",
        "k",
        "restricted",
        "parameter",
        "kind",
        "lower",
        "upper",
        "categories",
        "qp_lower",
        "qp_upper",
    ]);
    for d in found {
        for (b, pb) in d.boxes.iter().enumerate() {
            let s = pb.chosen();
            let head = [
                d.case.clone(),
                (b + 1).to_string(),
                pb.chosen.to_string(),
                format!("{}", s.coverage),
                format!("{}", s.density),
                format!("{}", s.mass),
                s.n.to_string(),
                s.k.to_string(),
                s.restricted.len().to_string(),
            ];
            if s.restricted.is_empty() {
                let mut row = head.to_vec();
                row.extend(std::iter::repeat_n(String::new(), 7));
                let _ = w.write_record(&row);
            }
            for (&c, &(ql, qu)) in s.restricted.iter().zip(&s.quasi_p) {
                let (lo, hi, cats) = limit_cells(&d.data, c, &s.limits[c]);
                let kind = match d.data.kinds[c] {
                    Kind::Real => "real",
                    Kind::Whole => "whole",
                    Kind::Categorical(_) => "categorical",
                };
                let mut row = head.to_vec();
                row.extend([
                    d.data.names[c].clone(),
                    kind.to_string(),
                    lo,
                    hi,
                    cats,
                    num(ql),
                    num(qu),
                ]);
                let _ = w.write_record(&row);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `prim_trajectory.csv`: every step of every box's peeling and pasting.
pub fn trajectory_csv(found: &[Discovery]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "case",
        "box",
        "step",
        "coverage",
        "density",
        "mass",
        "n",
        "k",
        "restricted",
        "chosen",
    ]);
    for d in found {
        for (b, pb) in d.boxes.iter().enumerate() {
            for (i, s) in pb.trajectory.iter().enumerate() {
                let _ = w.write_record([
                    d.case.clone(),
                    (b + 1).to_string(),
                    i.to_string(),
                    format!("{}", s.coverage),
                    format!("{}", s.density),
                    format!("{}", s.mass),
                    s.n.to_string(),
                    s.k.to_string(),
                    s.restricted.len().to_string(),
                    (i == pb.chosen).to_string(),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A label inside a sentence: its first letter in lower case unless it opens an acronym ("KPI
/// weight" stays, "Turbulence" becomes "turbulence").
pub fn prose_label(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => first
            .to_lowercase()
            .chain(label[first.len_utf8()..].chars())
            .collect(),
        (Some(first), None) => first.to_lowercase().collect(),
        _ => label.to_string(),
    }
}

/// A parameter's label for prose and its unit: the model's, else the name.
fn label_of(model: &str, name: &str) -> (String, String) {
    crate::models::find(model)
        .and_then(|m| crate::scenario::find_param(m, name).ok())
        .map_or_else(
            || (name.replace('_', " "), String::new()),
            |s| (prose_label(&s.label()), s.unit.to_string()),
        )
}

/// A whole-number limit read inward: a limit pasted to a midpoint (4.5) admits what the whole
/// number inside it admits.
fn whole_limit(x: f64, upper: bool) -> i64 {
    (if upper { x.floor() } else { x.ceil() }) as i64
}

/// A number for prose: 3 significant digits, no trailing zeros (0.08, not 0.0800).
fn prose(x: f64) -> String {
    show(x)
        .parse::<f64>()
        .map_or_else(|_| show(x), crate::analysis::saved::show_number)
}

/// Whether a label names what its unit counts: "policy units" (units), "analyst posts" (posts),
/// "problems per unit" (problems). Such a count reads "at least 9 policy units", not "policy
/// units is at least 9 units".
fn counts_its_unit(label: &str, unit: &str) -> bool {
    !unit.is_empty() && label.split(' ').any(|word| word.eq_ignore_ascii_case(unit))
}

/// One restricted parameter in words, its limits inclusive; `lower`/`upper` say which limits
/// restrict it. A count named by its unit reads "there are at least 9 policy units"; another
/// whole number keeps its unit ("hiring delay is at most 12 weeks"); a real number reads
/// "turbulence is at least 0.08", "literacy is between 0.2 and 0.5".
pub fn limit_in_words(
    label: &str,
    unit: &str,
    whole: bool,
    (lo, hi): (f64, f64),
    (lower, upper): (bool, bool),
) -> Option<String> {
    let (a, b) = if whole {
        (
            whole_limit(lo, false).to_string(),
            whole_limit(hi, true).to_string(),
        )
    } else {
        (prose(lo), prose(hi))
    };
    let bound = match (lower, upper) {
        (true, true) if a == b => a.clone(),
        (true, true) => format!("between {a} and {b}"),
        (true, false) => format!("at least {a}"),
        (false, true) => format!("at most {b}"),
        (false, false) => return None,
    };
    Some(if whole && counts_its_unit(label, unit) {
        // "there are 1 policy units" would jar: one of a count is said as a number with "is".
        if bound == "1" {
            format!("there is 1 of the {label}")
        } else {
            format!("there are {bound} {label}")
        }
    } else if whole && !unit.is_empty() {
        format!("{label} is {bound} {unit}")
    } else {
        format!("{label} is {bound}")
    })
}

/// A categorical restriction in words: "team structure is embedded or hub and spoke".
pub fn categories_in_words(label: &str, names: &[&str]) -> Option<String> {
    let shown: Vec<String> = names.iter().map(|n| n.replace('_', " ")).collect();
    match shown.as_slice() {
        [] => None,
        [one] => Some(format!("{label} is {one}")),
        [head @ .., last] => Some(format!("{label} is {} or {last}", head.join(", "))),
    }
}

/// A box in plain words, e.g. "where turbulence is at least 0.08 and there are at most 4 policy
/// units" (only the limits whose quasi-p value is below 0.05 — the others add little); `None` for
/// a box without such limits.
pub fn box_in_words(model: &str, data: &prim::Data, step: &prim::Step) -> Option<String> {
    let mut parts = Vec::new();
    for (&c, &(ql, qu)) in step.restricted.iter().zip(&step.quasi_p) {
        let (label, unit) = label_of(model, &data.names[c]);
        let whole = data.kinds[c] == Kind::Whole;
        match (&step.limits[c], &data.kinds[c]) {
            (prim::Limit::Range(lo, hi), _) => {
                parts.extend(limit_in_words(
                    &label,
                    &unit,
                    whole,
                    (*lo, *hi),
                    (ql < 0.05, qu < 0.05),
                ));
            }
            (prim::Limit::Categories(set), Kind::Categorical(names)) if ql < 0.05 => {
                let shown: Vec<&str> = set
                    .iter()
                    .filter_map(|&i| names.get(i).map(String::as_str))
                    .collect();
                parts.extend(categories_in_words(&label, &shown));
            }
            _ => {}
        }
    }
    let last = parts.pop()?;
    Some(if parts.is_empty() {
        format!("where {last}")
    } else {
        format!("where {} and {last}", parts.join(", "))
    })
}

/// The first box of a discovery, described: the sentence the report opens with, e.g. "\"X\" is
/// not best where turbulence is at least 0.08 (coverage 72%, density 81%)". `None` when nothing was
/// found worth saying.
pub fn discovery_sentence(model: &str, d: &Discovery) -> Option<String> {
    let b = d.boxes.first()?;
    let step = b.chosen();
    let words = box_in_words(model, &d.data, step)?;
    Some(format!(
        "{words}: {} of the {} points there match ({:.0}% density), {:.0}% of all {} matching points (coverage)",
        step.k,
        step.n,
        100.0 * step.density,
        100.0 * step.coverage,
        d.cases
    ))
}

/// Everything `run`, `orgsim robustness` and `orgsim discover` compute for a saved directory.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub model: String,
    pub robustness: Robustness,
    pub discoveries: Vec<Discovery>,
}

/// The analysis of a saved design × options directory: robustness on the configured metric and
/// PRIM for each configured case (or, without one, the default case [`default_case`]).
pub fn analyse_dir(
    dir: &Path,
    manifest: &Manifest,
    flags: &Overrides,
    prim_settings: prim::Settings,
) -> Result<Analysis, InputError> {
    let mut config = config(dir, manifest, flags)?;
    let table = load(dir, manifest)?;
    let seed = manifest.design.as_ref().map_or(0, |d| d.seed) ^ manifest.master_seed;
    let robustness = analyse(&table, &config, seed);
    if config.cases.is_empty() {
        let text = default_case(&robustness);
        let (metrics, options) = names_of(manifest);
        let names = Names {
            metrics: &metrics,
            options: &options,
            baseline: manifest.baseline.as_deref(),
        };
        let case = robust::parse_case(&text, &names).map_err(|m| InputError::new("--case", m))?;
        config.cases = vec![case];
        config.case_texts = vec![text];
    }
    let discoveries = discover(&table, &config, prim_settings);
    Ok(Analysis {
        model: manifest.model.clone(),
        robustness,
        discoveries,
    })
}

/// The files [`write`] produces.
pub fn files() -> [&'static str; 5] {
    [ROBUSTNESS, REGRET, PRIM_BOXES, PRIM_TRAJECTORY, PRIM_INPUT]
}

/// Writes robustness.csv, regret.csv, prim_boxes.csv, prim_trajectory.csv and prim_input.csv
/// (the first case's PRIM input, for `scripts/prim_check.py`).
pub fn write(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let put = |name: &str, text: String| {
        crate::output::write_atomic(&dir.join(name), text.as_bytes())
            .with_context(|| format!("cannot write {name}"))
    };
    put(ROBUSTNESS, to_csv(&a.robustness))?;
    put(REGRET, regret_csv(&a.robustness))?;
    put(PRIM_BOXES, boxes_csv(&a.discoveries))?;
    put(PRIM_TRAJECTORY, trajectory_csv(&a.discoveries))?;
    if let Some(d) = a.discoveries.first() {
        put(PRIM_INPUT, prim_input_csv(&d.data))?;
    }
    Ok(())
}

/// The terminal text: the ranked table, then each case's box in words.
pub fn report_text(a: &Analysis) -> String {
    let mut out = to_table(&a.robustness);
    for d in &a.discoveries {
        out += &format!(
            "
Scenario discovery (PRIM), case {}: {} of {} design points.
",
            d.case, d.cases, d.points
        );
        match discovery_sentence(&a.model, d) {
            Some(s) => out += &format!("  The case is concentrated {s}.
"),
            None => out += "  No box with a significant limit (quasi-p < 0.05) was found: the case is spread over the design.
",
        }
    }
    out
}

/// The terminal text of `orgsim discover`: each case's boxes, their statistics and limits.
pub fn discovery_text(a: &Analysis) -> String {
    let mut out = String::new();
    for d in &a.discoveries {
        out += &format!(
            "Case {}: {} of {} design points
",
            d.case, d.cases, d.points
        );
        for (b, pb) in d.boxes.iter().enumerate() {
            let s = pb.chosen();
            out += &format!(
                "  box {} (step {} of {}): coverage {:.1}%, density {:.1}%, mass {:.1}%, {} restricted
",
                b + 1,
                pb.chosen,
                pb.trajectory.len() - 1,
                100.0 * s.coverage,
                100.0 * s.density,
                100.0 * s.mass,
                s.restricted.len()
            );
            for (&c, &(ql, qu)) in s.restricted.iter().zip(&s.quasi_p) {
                let (lo, hi, cats) = limit_cells(&d.data, c, &s.limits[c]);
                let limits = if cats.is_empty() {
                    format!(
                        "{} .. {}",
                        show(lo.parse().unwrap_or(f64::NAN)),
                        show(hi.parse().unwrap_or(f64::NAN))
                    )
                } else {
                    cats.replace('|', ", ")
                };
                let qp = [ql, qu]
                    .iter()
                    .filter(|q| !q.is_nan())
                    .map(|q| format!("{q:.2e}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                out += &format!("    {:<24} {limits:<28} quasi-p {qp}\n", d.data.names[c]);
            }
            match box_in_words(&a.model, &d.data, s) {
                Some(w) => out += &format!("  In words: {w}.\n"),
                None => out += "  No limit is significant (quasi-p < 0.05).\n",
            }
        }
    }
    out
}

/// The case the report describes when the scenario names none: where an option other than the
/// one with the best expected value is best.
pub fn default_case(r: &Robustness) -> String {
    format!("\"{}\" is not best", r.options[r.max_expected].option)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_words() {
        let words = |label: &str, unit: &str, whole: bool, lims: (f64, f64), sig: (bool, bool)| {
            limit_in_words(label, unit, whole, lims, sig).unwrap_or_default()
        };
        // Whole numbers: a count named by its unit, plural or not; another count keeps its unit.
        assert_eq!(
            words("policy units", "units", true, (8.5, 64.0), (true, false)),
            "there are at least 9 policy units"
        );
        assert_eq!(
            words("analyst posts", "posts", true, (2.0, 4.5), (false, true)),
            "there are at most 4 analyst posts"
        );
        assert_eq!(
            words(
                "problems per unit",
                "problems",
                true,
                (1.5, 3.2),
                (true, true)
            ),
            "there are between 2 and 3 problems per unit"
        );
        assert_eq!(
            words("policy units", "units", true, (0.6, 1.4), (true, true)),
            "there is 1 of the policy units"
        );
        assert_eq!(
            words("evaluation lag", "weeks", true, (12.5, 52.0), (true, false)),
            "evaluation lag is at least 13 weeks"
        );
        // Real numbers, limits inclusive, no trailing zeros and no unit words such as "share".
        assert_eq!(
            words("turbulence", "SD/week", false, (0.08, 0.15), (true, false)),
            "turbulence is at least 0.08"
        );
        assert_eq!(
            words("initial literacy", "share", false, (0.2, 0.5), (true, true)),
            "initial literacy is between 0.2 and 0.5"
        );
        assert_eq!(
            words(
                "politics",
                "share",
                false,
                (0.1, 0.350000001),
                (false, true)
            ),
            "politics is at most 0.35"
        );
        assert_eq!(words("x", "", false, (0.0, 1.0), (false, false)), "");
        // Categories, with their machine names' underscores as spaces.
        assert_eq!(
            categories_in_words("team structure", &["embedded", "hub_and_spoke"]).unwrap(),
            "team structure is embedded or hub and spoke"
        );
        assert_eq!(
            categories_in_words("incentive", &["kpi", "mixed", "impact"]).unwrap(),
            "incentive is kpi, mixed or impact"
        );
        assert_eq!(categories_in_words("incentive", &[]), None);
        assert_eq!(prose_label("Turbulence"), "turbulence");
        assert_eq!(prose_label("KPI weight"), "KPI weight");
    }

    #[test]
    fn percentile_is_type_7() {
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert!((percentile(&[0.0, 10.0], 90.0) - 9.0).abs() < 1e-12);
    }

    fn config(percentile: f64) -> Config {
        Config {
            metric: "v".into(),
            percentile,
            threshold: Some(1.0),
            threshold_metric: "v".into(),
            from_baseline: false,
            cases: Vec::new(),
            case_texts: Vec::new(),
        }
    }

    /// Two options equal in truth (the same mean at each point, 400 points), each run with its
    /// own N(0, 1) noise: every regret measured is noise.
    fn equal_options(reps: usize, seed: u64) -> Table {
        use rand_distr::{Distribution, StandardNormal};
        let points = 400;
        let mut r = rng::stream(seed, 3);
        let mut values = Vec::new();
        for _o in 0..2 {
            for j in 0..points {
                for _ in 0..reps {
                    let noise: f64 = StandardNormal.sample(&mut r);
                    values.push(j as f64 * 0.01 + noise);
                }
            }
        }
        let metric: MetricInfo = serde_json::from_value(serde_json::json!({
            "name": "v", "label": "V", "unit": "", "meaning": "", "headline": true,
            "higher_is_better": true
        }))
        .unwrap();
        Table {
            options: vec!["a".into(), "b".into()],
            baseline: 0,
            points,
            replicates: reps,
            metrics: vec![metric],
            values,
            factors: Factors {
                names: Vec::new(),
                kinds: Vec::new(),
                columns: Vec::new(),
            },
        }
    }

    /// The upward bias of regret against the best of noisy means, measured: with equal options
    /// each option's mean regret should be 0 but is E|a − b|/2 = σ·√(2/R)·√(2/π)/2 (0.282 at R = 4,
    /// 0.141 at R = 16): it halves when replicates quadruple. The bootstrap's `regret_bias` sees
    /// about (√2 − 1) of it in this worst case (equal options), so it is a lower bound.
    #[test]
    fn regret_bias_shrinks_with_replicates_and_is_seen_by_the_bootstrap() {
        let mut observed = Vec::new();
        for reps in [4, 16] {
            let a = analyse(&equal_options(reps, 11), &config(90.0), 5);
            let mean_regret =
                (a.options[0].mean_regret.estimate + a.options[1].mean_regret.estimate) / 2.0;
            let expected = (2.0 / reps as f64).sqrt() * (2.0 / std::f64::consts::PI).sqrt() / 2.0;
            assert!(
                (mean_regret / expected - 1.0).abs() < 0.15,
                "R = {reps}: mean regret {mean_regret}, expected {expected}"
            );
            let bias = (a.options[0].regret_bias + a.options[1].regret_bias) / 2.0;
            assert!(
                bias / mean_regret > 0.3 && bias / mean_regret < 0.55,
                "R = {reps}: bias estimate {bias} against {mean_regret}"
            );
            observed.push(mean_regret);
        }
        let ratio = observed[0] / observed[1];
        assert!(ratio > 1.7 && ratio < 2.3, "ratio {ratio}");
    }

    #[test]
    fn regret_shares_and_satisficing_by_hand() {
        // Two options at three points: A = 1, 3, 2; B = 2, 1, 2 (higher is better).
        let means = vec![vec![1.0, 3.0, 2.0], vec![2.0, 1.0, 2.0]];
        let s = summarise(&means, &means, 1.0, 1.0, &config(100.0), 0);
        let a = s.per_option[0];
        let b = s.per_option[1];
        assert_eq!(a[0], 2.0);
        assert_eq!(a[1], 1.0 / 3.0); // regrets 1, 0, 0
        assert_eq!(b[1], 2.0 / 3.0); // regrets 0, 2, 0
        assert_eq!((a[3], b[3]), (1.0, 2.0));
        assert_eq!(a[4], 0.5); // best at point 1, shares point 2
        assert_eq!(b[4], 0.5);
        assert_eq!((a[5], b[5]), (1.0, 1.0)); // all ≥ 1
        // Lower is better: the roles swap.
        let s = summarise(&means, &means, -1.0, -1.0, &config(100.0), 0);
        assert_eq!(s.per_option[0][3], 2.0);
        assert_eq!(s.per_option[0][5], 1.0 / 3.0); // only 1 ≤ 1
    }
}
