//! Leaders' what-if comparison: each option against the baseline, with paired intervals and P(best).
//!
//! Replicate *r* of every point faces the same random world (common random numbers), so an option and
//! the baseline are compared replicate by replicate: d_r = x_option,r − x_baseline,r. The difference
//! is the mean of the d_r and its 95% interval is mean(d) ± t(0.975, n−1)·sd(d)/√n over the n
//! replicates where both values exist. Pairing removes the variation the two share, so the interval
//! is far narrower than one from two independent samples. P(best) is the share of replicates in which
//! an option has the best value of all options (exact ties split equally), over the replicates where
//! every option has a value.
//!
//! With `[[option]]`s, options are compared at each setting of the swept parameters (a "group").
//! A plain sweep has one group whose alternatives are its points, and its baseline is point 0.
//!
//! A design's points are samples of an uncertain space, not alternatives: a design without options
//! is refused (its analysis is `orgsim sensitivity`), and a design crossed with options compares the
//! options pooled over the design ([`design_group`]): per point the replicate mean (replicate r of
//! an option and of the baseline share their streams at a point), then the statistics over points.
//!
//! Only the statistics live here; turning a [`Comparison`] into CSV, text or Markdown is
//! [`super::format`]'s job, so the numbers can be tested without the layout and vice versa.

use super::saved::{Saved, show_value};
use crate::error::InputError;
use crate::output::manifest::Manifest;
use crate::stats::Moments;
use crate::suggest::did_you_mean;

/// One alternative in a comparison: an option, or a point of a plain sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub label: String,
    pub point_id: usize,
}

/// Alternatives compared with each other: every option at one setting of the swept parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The swept parameters' values, e.g. `socialisation=0.1`; empty when nothing is swept.
    pub setting: String,
    pub arms: Vec<Arm>,
    /// Index into `arms`.
    pub baseline: usize,
}

/// The statistics of one alternative for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmStats {
    /// Replicates with a value.
    pub n: u64,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Replicates where both this alternative and the baseline have a value.
    pub n_pairs: u64,
    /// Mean paired difference from the baseline (0 for the baseline itself).
    pub diff: f64,
    pub diff_low: f64,
    pub diff_high: f64,
    pub p_best: f64,
}

/// Compares alternatives whose values are indexed by replicate (NaN = no value).
///
/// Returns each alternative's statistics and the number of replicates P(best) was computed over.
pub fn compare_arms(
    values: &[Vec<f64>],
    baseline: usize,
    higher_is_better: bool,
) -> (Vec<ArmStats>, u64) {
    let reps = values.iter().map(Vec::len).max().unwrap_or(0);
    let at = |arm: usize, r: usize| values[arm].get(r).copied().unwrap_or(f64::NAN);
    let mut wins = vec![0.0; values.len()];
    let mut complete = 0u64;
    for r in 0..reps {
        let row: Vec<f64> = (0..values.len()).map(|a| at(a, r)).collect();
        if row.iter().any(|x| x.is_nan()) {
            continue;
        }
        complete += 1;
        let best = if higher_is_better {
            row.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            row.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let tied = row.iter().filter(|&&x| x == best).count() as f64;
        for (w, &x) in wins.iter_mut().zip(&row) {
            if x == best {
                *w += 1.0 / tied;
            }
        }
    }
    let stats = (0..values.len())
        .map(|a| {
            let own = Moments::from_values(values[a].iter().copied());
            let diffs = Moments::from_values((0..reps).map(|r| at(a, r) - at(baseline, r)));
            let (ci_low, ci_high) = own.ci95();
            let (diff_low, diff_high) = if a == baseline {
                (0.0, 0.0)
            } else {
                diffs.ci95()
            };
            ArmStats {
                n: own.n,
                mean: own.mean(),
                ci_low,
                ci_high,
                n_pairs: diffs.n,
                diff: if a == baseline { 0.0 } else { diffs.mean() },
                diff_low,
                diff_high,
                p_best: if complete == 0 {
                    f64::NAN
                } else {
                    wins[a] / complete as f64
                },
            }
        })
        .collect();
    (stats, complete)
}

/// A label for a point from the parameters that vary: `socialisation=0.1, code_learning=0.5`.
pub fn point_label(manifest: &Manifest, point_id: usize, params: &[&str]) -> String {
    let point = &manifest.points[point_id];
    if params.is_empty() {
        return format!("point {point_id}");
    }
    params
        .iter()
        .map(|p| {
            let v = point.params.get(*p).map(show_value).unwrap_or_default();
            format!("{p}={v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The groups of alternatives in an output, with the baseline chosen by `--baseline`, the scenario's
/// `baseline`, or else the first option (or point 0 of a plain sweep).
pub fn groups(manifest: &Manifest, baseline: Option<&str>) -> Result<Vec<Group>, InputError> {
    if manifest.options.is_empty() {
        let varying: Vec<&str> = manifest.varying_params.iter().map(String::as_str).collect();
        let arms: Vec<Arm> = (0..manifest.points.len())
            .map(|id| Arm {
                label: point_label(manifest, id, &varying),
                point_id: id,
            })
            .collect();
        let base = match baseline {
            None => 0,
            Some(b) => arms
                .iter()
                .position(|a| a.label == b || a.point_id.to_string() == b)
                .ok_or_else(|| {
                    let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
                    InputError::new(
                        "--baseline",
                        format!(
                            "\"{b}\" is not a point of this sweep; give a point_id (0..{}) or a label such as \"{}\"{}",
                            arms.len().saturating_sub(1),
                            labels.first().copied().unwrap_or(""),
                            did_you_mean(b, labels.iter().copied())
                        ),
                    )
                })?,
        };
        return Ok(vec![Group {
            setting: String::new(),
            arms,
            baseline: base,
        }]);
    }
    let names: Vec<&str> = manifest.options.iter().map(|o| o.name.as_str()).collect();
    let base_name = match baseline.or(manifest.baseline.as_deref()) {
        None => names[0],
        Some(b) => names.iter().copied().find(|n| *n == b).ok_or_else(|| {
            InputError::new(
                "--baseline",
                format!(
                    "\"{b}\" is not an option; options: {}{}",
                    names.join(", "),
                    did_you_mean(b, names.iter().copied())
                ),
            )
        })?,
    };
    let swept = manifest.swept_params();
    let mut groups: Vec<Group> = Vec::new();
    for point in &manifest.points {
        let setting = if swept.is_empty() {
            String::new()
        } else {
            point_label(manifest, point.point_id, &swept)
        };
        let label = point.option.clone().unwrap_or_default();
        let arm = Arm {
            label,
            point_id: point.point_id,
        };
        match groups.iter_mut().find(|g| g.setting == setting) {
            Some(g) => g.arms.push(arm),
            None => groups.push(Group {
                setting,
                arms: vec![arm],
                baseline: 0,
            }),
        }
    }
    for g in &mut groups {
        g.baseline = g
            .arms
            .iter()
            .position(|a| a.label == base_name)
            .unwrap_or(0);
    }
    Ok(groups)
}

/// A design crossed with options: one group, one arm per option (its first point), pooled over
/// the design's points; a design without options is refused.
fn design_group(manifest: &Manifest, baseline: Option<&str>) -> Result<Group, InputError> {
    let Some(design) = &manifest.design else {
        unreachable!("design_group is called for designs only")
    };
    if manifest.options.is_empty() {
        return Err(InputError::new(
            "DIR",
            format!(
                "is a design run ({}) without [[option]]s: its {} points are samples of an uncertain space, not alternatives to rank; use `orgsim sensitivity DIR` for what drives each metric (or add [[option]]s to compare choices across the design)",
                design.method, design.points
            ),
        ));
    }
    let mut group = groups(manifest, baseline)?
        .into_iter()
        .next()
        .expect("options give a group");
    let base_name = group.arms[group.baseline].label.clone();
    group.arms = manifest
        .options
        .iter()
        .enumerate()
        .map(|(o, option)| Arm {
            label: option.name.clone(),
            point_id: o * design.points,
        })
        .collect();
    group.baseline = group
        .arms
        .iter()
        .position(|a| a.label == base_name)
        .unwrap_or(0);
    group.setting = format!(
        "all {} design points, pooled (each point's mean over {} replicates; n and P(best) count points)",
        design.points, manifest.replications
    );
    Ok(group)
}

/// One line of the comparison: one alternative, one metric, one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub setting: String,
    pub metric: String,
    pub higher_is_better: bool,
    /// 1 = best mean in its group.
    pub rank: usize,
    pub label: String,
    pub point_id: usize,
    pub baseline: String,
    pub is_baseline: bool,
    /// Pairs P(best) and the paired interval were computed over: replicates, or for a design's
    /// pooled comparison, design points ([`Row::pairs`] names which).
    pub n_complete: u64,
    /// What `n_complete` counts.
    pub pairs: Pairs,
    pub stats: ArmStats,
}

/// What a comparison's pairs are: replicates on common random numbers at one setting, or the
/// points of a design, each a replicate mean (a pooled comparison of a design's options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairs {
    Replicates,
    DesignPoints,
}

impl Pairs {
    /// "{n} paired replicates" or "{n} design points", for headings and captions.
    pub fn count(self, n: u64) -> String {
        match self {
            Pairs::Replicates => format!("{n} paired replicates"),
            Pairs::DesignPoints => format!("{n} design points"),
        }
    }
}

/// A whole comparison, ranked within each (group, metric).
#[derive(Debug, Clone)]
pub struct Comparison {
    /// True when the alternatives are `[[option]]`s, false for the points of a plain sweep.
    pub of_options: bool,
    /// Whether the baseline is one worth naming: an option, or a point of a plain sweep that
    /// `--baseline` chose. A plain sweep's default baseline, point 0, is only the first point.
    pub baseline_named: bool,
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Whether a ranking against the baseline says anything: a named baseline and at least one
    /// other alternative. Otherwise (a plain sweep, a one-point run) the alternatives' means are
    /// shown each on their own, without ranks or differences.
    pub fn is_ranking(&self) -> bool {
        self.baseline_named && self.rows.iter().any(|r| !r.is_baseline)
    }
}

/// Compares the alternatives of a saved output on the chosen metrics (default: the headline ones).
pub fn compare(
    saved: &Saved,
    metrics: &[String],
    baseline: Option<&str>,
) -> Result<Comparison, InputError> {
    let manifest = &saved.manifest;
    let chosen = manifest.chosen_metrics(metrics)?;
    let design_points = manifest.design.as_ref().map(|d| d.points);
    let groups = match design_points {
        Some(_) => vec![design_group(manifest, baseline)?],
        None => groups(manifest, baseline)?,
    };
    let mut rows = Vec::new();
    for metric in chosen {
        let table = saved.by_point_and_replicate(saved.metric_index(&metric.name));
        for group in &groups {
            let values: Vec<Vec<f64>> = group
                .arms
                .iter()
                .map(|a| match design_points {
                    // The option's replicate mean at each design point, in design order: its
                    // differences from the baseline's pair point by point.
                    Some(p) => (a.point_id..a.point_id + p)
                        .map(|j| Moments::from_values(table[j].iter().copied()).mean())
                        .collect(),
                    None => table[a.point_id].clone(),
                })
                .collect();
            let (stats, complete) = compare_arms(&values, group.baseline, metric.higher_is_better);
            let mut order: Vec<usize> = (0..stats.len()).collect();
            order.sort_by(|&a, &b| {
                let (x, y) = (stats[a].mean, stats[b].mean);
                // NaN means last, whatever the direction.
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if metric.higher_is_better => y.total_cmp(&x),
                    _ => x.total_cmp(&y),
                }
            });
            for (rank, &a) in order.iter().enumerate() {
                rows.push(Row {
                    setting: group.setting.clone(),
                    metric: metric.name.clone(),
                    higher_is_better: metric.higher_is_better,
                    rank: rank + 1,
                    label: group.arms[a].label.clone(),
                    point_id: group.arms[a].point_id,
                    baseline: group.arms[group.baseline].label.clone(),
                    is_baseline: a == group.baseline,
                    n_complete: complete,
                    pairs: if design_points.is_some() {
                        Pairs::DesignPoints
                    } else {
                        Pairs::Replicates
                    },
                    stats: stats[a],
                });
            }
        }
    }
    Ok(Comparison {
        of_options: !manifest.options.is_empty(),
        baseline_named: !manifest.options.is_empty() || baseline.is_some(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn paired_difference_matches_hand_computation() {
        // baseline 1,2,3,4; option 2,4,4,6 → differences 1,2,1,2: mean 1.5,
        // sd = sqrt(((−.5)²·2 + (.5)²·2)/3) = sqrt(1/3), se = sqrt(1/3)/2 = 0.288675,
        // t(0.975; 3) = 3.182446 → half width 0.918694.
        let values = vec![vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 4.0, 4.0, 6.0]];
        let (stats, complete) = compare_arms(&values, 0, true);
        assert_eq!(complete, 4);
        let opt = stats[1];
        assert_eq!(opt.n_pairs, 4);
        assert!(close(opt.diff, 1.5));
        assert!(
            (opt.diff_low - (1.5 - 0.918694)).abs() < 1e-5,
            "{}",
            opt.diff_low
        );
        assert!(
            (opt.diff_high - (1.5 + 0.918694)).abs() < 1e-5,
            "{}",
            opt.diff_high
        );
        assert!(close(opt.mean, 4.0));
        // The option wins every replicate.
        assert!(close(opt.p_best, 1.0));
        assert!(close(stats[0].p_best, 0.0));
        assert!(close(stats[0].diff, 0.0));
    }

    #[test]
    fn pairing_is_sharper_than_independent_samples() {
        // Shared noise is large, the effect constant: the paired interval has zero width.
        let base = vec![10.0, -5.0, 30.0, 2.0, 17.0];
        let option: Vec<f64> = base.iter().map(|x| x + 0.5).collect();
        let (stats, _) = compare_arms(&[base, option], 0, true);
        assert!(close(stats[1].diff_low, 0.5) && close(stats[1].diff_high, 0.5));
        assert!(stats[1].ci_high - stats[1].ci_low > 10.0);
    }

    #[test]
    fn ties_split_and_lower_is_better() {
        // Replicate 0: a and b tie for lowest → half each. Replicate 1: c lowest. Replicate 2: a.
        let values = vec![
            vec![1.0, 5.0, 0.0],
            vec![1.0, 4.0, 3.0],
            vec![2.0, 3.0, 9.0],
        ];
        let (stats, complete) = compare_arms(&values, 0, false);
        assert_eq!(complete, 3);
        assert!(close(stats[0].p_best, 1.5 / 3.0));
        assert!(close(stats[1].p_best, 0.5 / 3.0));
        assert!(close(stats[2].p_best, 1.0 / 3.0));
        let total: f64 = stats.iter().map(|s| s.p_best).sum();
        assert!(close(total, 1.0));
    }

    #[test]
    fn missing_values_drop_out_of_pairs_and_p_best() {
        // Replicate 1 of the option is missing: 2 pairs (differences 1 and 3), and P(best) over 2.
        let values = vec![vec![0.0, 0.0, 0.0], vec![1.0, f64::NAN, 3.0]];
        let (stats, complete) = compare_arms(&values, 0, true);
        assert_eq!(complete, 2);
        assert_eq!(stats[1].n_pairs, 2);
        assert_eq!(stats[1].n, 2);
        assert!(close(stats[1].diff, 2.0));
        // sd of {1, 3} = sqrt(2), se = 1, t(0.975; 1) = 12.7062
        assert!((stats[1].diff_high - (2.0 + 12.7062)).abs() < 1e-3);
        assert!(close(stats[1].p_best, 1.0));
    }

    #[test]
    fn one_replicate_gives_no_interval() {
        let (stats, _) = compare_arms(&[vec![1.0], vec![2.0]], 0, true);
        assert!(close(stats[1].diff, 1.0));
        assert!(stats[1].diff_low.is_nan() && stats[1].ci_low.is_nan());
    }

    fn manifest(json: serde_json::Value) -> Manifest {
        serde_json::from_value(json).unwrap()
    }

    fn point(
        id: usize,
        option: Option<&str>,
        turnover: f64,
        socialisation: f64,
    ) -> serde_json::Value {
        serde_json::json!({"point_id": id, "option": option,
            "params": {"turnover": turnover, "socialisation": socialisation, "dimensions": 30.0}})
    }

    fn base_manifest() -> serde_json::Value {
        serde_json::json!({
            "orgsim_version": "0", "scenario": {"name": "t"}, "model": "march1991",
            "master_seed": 1, "replications": 2, "ticks": 10,
            "metrics": [{"name": "code_knowledge", "headline": true}],
        })
    }

    #[test]
    fn options_are_compared_within_each_setting_of_the_sweep() {
        let mut m = base_manifest();
        m["baseline"] = "b".into();
        m["varying_params"] = serde_json::json!(["turnover", "socialisation"]);
        m["options"] = serde_json::json!([
            {"name": "a", "set": {"socialisation": 0.1}},
            {"name": "b", "set": {"socialisation": 0.5}}
        ]);
        m["points"] = serde_json::json!([
            point(0, Some("a"), 0.0, 0.1),
            point(1, Some("a"), 0.1, 0.1),
            point(2, Some("b"), 0.0, 0.5),
            point(3, Some("b"), 0.1, 0.5)
        ]);
        let m = manifest(m);
        let g = groups(&m, None).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].setting, "turnover=0");
        assert_eq!(g[1].setting, "turnover=0.1");
        let ids: Vec<usize> = g[1].arms.iter().map(|a| a.point_id).collect();
        assert_eq!(ids, [1, 3]);
        // The scenario's baseline "b", not the first option.
        assert_eq!(g[0].arms[g[0].baseline].label, "b");
        // --baseline overrides it; a near miss is refused with a suggestion.
        let g = groups(&m, Some("a")).unwrap();
        assert_eq!(g[0].arms[g[0].baseline].label, "a");
        let e = groups(&m, Some("bb")).unwrap_err();
        assert_eq!(e.place, "--baseline");
        assert!(e.message.contains("options: a, b"), "{}", e.message);
    }

    #[test]
    fn a_plain_sweep_compares_its_points_against_point_0() {
        let mut m = base_manifest();
        m["varying_params"] = serde_json::json!(["turnover"]);
        m["points"] = serde_json::json!([point(0, None, 0.0, 0.5), point(1, None, 0.1, 0.5)]);
        let m = manifest(m);
        let g = groups(&m, None).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].baseline, 0);
        let labels: Vec<&str> = g[0].arms.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["turnover=0", "turnover=0.1"]);
        assert_eq!(groups(&m, Some("1")).unwrap()[0].baseline, 1);
        assert_eq!(groups(&m, Some("turnover=0.1")).unwrap()[0].baseline, 1);
        assert!(groups(&m, Some("turnover=0.2")).is_err());
    }
}
