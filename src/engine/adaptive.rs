//! Adaptive replication: how many replicates each point of a sweep needs for the 95% interval of
//! one metric to be as narrow as asked.
//!
//! Points are decided in *groups*: a point alone, or, in a scenario with options, one setting of
//! the sweep with every option at it (the options of a group always get the same replicates, so
//! they stay paired). A group first runs `min` replicates, then batches, until its half-width is at
//! or below the target or `max` is reached. The half-width is that of the metric's mean (a point
//! alone, or a group with one option) or, with a baseline, the widest of the paired differences
//! option − baseline, replicate by replicate (common random numbers).
//!
//! Replicate r of a point has the seed it has in a fixed-replication run, and the decision after
//! each batch reads only that group's own values, so the result is a prefix of the fixed run's
//! replicates and depends on nothing but the seed: not on threads, not on which other groups exist.
//!
//! Because of that, a shard of an adaptive sweep takes whole groups ([`shard_groups`]) and decides
//! them alone, exactly as the whole run would.
//!
//! The decision pass keeps only the metric's final values; [`adaptive_run_ids`] then lists the
//! runs the executor runs again in run-id order to write the files (see docs/outputs-and-analysis.md,
//! "Adaptive replication", for the cost).

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::executor::{Controls, Finished, Plan, run_caught_at};
use crate::stats::{Moments, t_quantile_975};

/// What the half-width is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The half-width itself, in the metric's unit.
    HalfWidth(f64),
    /// The half-width as a share of |mean| (of the metric, or of the paired difference).
    RelativeHalfWidth(f64),
}

/// An adaptive replication rule (validated: `2 ≤ min ≤ max`, a finite target above 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub target: Target,
    /// The metric's index in the model's declaration order.
    pub metric: usize,
    pub min: u64,
    pub max: u64,
}

/// Points decided together: indices into the plan's points, and the baseline's position among
/// them (`None`: the half-width of each point's own mean).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub points: Vec<usize>,
    pub baseline: Option<usize>,
}

/// What the rule decided for one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Replicates run at every point of the group (0..replicates).
    pub replicates: u64,
    /// Whether the half-width reached the target (false: `max` was reached first).
    pub target_met: bool,
    /// The widest half-width at the end (of a mean, or of a paired difference) and the estimate
    /// it is around (that mean, or that difference's mean).
    pub half_width: f64,
    pub estimate: f64,
}

/// The 95% t half-width of the finite `values`' mean, and that mean; infinite with fewer than two.
pub fn half_width(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let m = Moments::from_values(values.into_iter().filter(|x| x.is_finite()));
    if m.n < 2 {
        return (f64::INFINITY, m.mean());
    }
    (t_quantile_975(m.n - 1) * m.se(), m.mean())
}

impl Target {
    /// The half-width allowed around `mean`.
    fn allowed(self, mean: f64) -> f64 {
        match self {
            Target::HalfWidth(h) => h,
            Target::RelativeHalfWidth(share) => share * mean.abs(),
        }
    }
}

/// A group's widest (half-width, allowed half-width, estimate): of its own mean, or of each
/// option's paired difference from the baseline over the replicates where both have a value.
fn widest(group: &Group, values: &[Vec<f64>], target: Target) -> (f64, f64, f64) {
    let judge = |(h, mean): (f64, f64)| (h, target.allowed(mean), mean);
    // How far a half-width is above its allowance; no interval (or no mean) is infinitely far.
    let gap = |(h, allowed, _): (f64, f64, f64)| {
        if h.is_finite() && allowed.is_finite() {
            h - allowed
        } else {
            f64::INFINITY
        }
    };
    let furthest = |a, b| if gap(b) > gap(a) { b } else { a };
    let judged: Vec<(f64, f64, f64)> = match group.baseline {
        Some(b) if values.len() > 1 => values
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != b)
            .map(|(_, option)| {
                judge(half_width(
                    option.iter().zip(&values[b]).map(|(o, base)| o - base),
                ))
            })
            .collect(),
        _ => values
            .iter()
            .map(|v| judge(half_width(v.iter().copied())))
            .collect(),
    };
    judged
        .into_iter()
        .reduce(furthest)
        .unwrap_or((f64::INFINITY, 0.0, f64::NAN))
}

/// The replicates to have after the next batch, from `n` with half-width `h` against `allowed`:
/// the projection n·(h/allowed)² (the half-width shrinks as 1/√n), at least one more and at most
/// twice as many as now, and never above `max`.
pub fn next_total(n: u64, h: f64, allowed: f64, max: u64) -> u64 {
    let projected = if allowed > 0.0 && h.is_finite() {
        (n as f64 * (h / allowed).powi(2)).ceil()
    } else {
        f64::INFINITY
    };
    let doubled = n.saturating_mul(2);
    let next = if projected >= doubled as f64 {
        doubled
    } else {
        (projected as u64).max(n + 1)
    };
    next.min(max)
}

/// Runs each group's replicates in batches until it meets `rule` or reaches `rule.max`, and says
/// how many each got. Only the rule's metric is kept. Runs that panic count as missing values
/// (they are run again, and reported, when the files are written). Returns "interrupted" once
/// `controls.cancel` is set.
pub fn decide(
    plan: &Plan,
    rule: &Rule,
    groups: &[Group],
    threads: usize,
    controls: Controls,
) -> Result<Vec<Decision>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("could not start the worker threads")?;
    // Final values only: the decision needs no series.
    let light = Plan {
        record_every: 0,
        per_unit: false,
        ..*plan
    };
    let first = rule.min.min(rule.max);
    let mut values: Vec<Vec<Vec<f64>>> = groups
        .iter()
        .map(|g| vec![Vec::new(); g.points.len()])
        .collect();
    let mut wanted = vec![first; groups.len()];
    let mut decisions: Vec<Option<Decision>> = vec![None; groups.len()];
    let mut open: Vec<usize> = (0..groups.len()).collect();
    while !open.is_empty() {
        // (group, position in the group, replicate), in a fixed order, so the values land in
        // place however the threads finish.
        let jobs: Vec<(usize, usize, u64)> = open
            .iter()
            .flat_map(|&g| {
                let (have, want) = (values[g][0].len() as u64, wanted[g]);
                (0..groups[g].points.len()).flat_map(move |k| (have..want).map(move |r| (g, k, r)))
            })
            .collect();
        let finals: Option<Vec<f64>> = pool.install(|| {
            jobs.par_iter()
                .map(|&(g, k, r)| {
                    let point = groups[g].points[k];
                    match run_caught_at(&light, point, r, controls)? {
                        Finished::Done(record) => Some(record.finals[rule.metric]),
                        Finished::Failed(_) => Some(f64::NAN),
                    }
                })
                .collect()
        });
        let Some(finals) = finals else {
            anyhow::bail!("interrupted");
        };
        for (&(g, k, _), x) in jobs.iter().zip(finals) {
            values[g][k].push(x);
        }
        open.retain(|&g| {
            let n = wanted[g];
            let (h, allowed, estimate) = widest(&groups[g], &values[g], rule.target);
            let met = h.is_finite() && h <= allowed;
            if met || n >= rule.max {
                decisions[g] = Some(Decision {
                    replicates: n,
                    target_met: met,
                    half_width: h,
                    estimate,
                });
                false
            } else {
                wanted[g] = next_total(n, h, allowed, rule.max);
                true
            }
        });
    }
    Ok(decisions.into_iter().flatten().collect())
}

/// Every point's replicate count, from its group's decision.
pub fn replicates_per_point(points: usize, groups: &[Group], decisions: &[Decision]) -> Vec<u64> {
    let mut out = vec![0; points];
    for (group, decision) in groups.iter().zip(decisions) {
        for &p in &group.points {
            out[p] = decision.replicates;
        }
    }
    out
}

/// The groups shard `index` of `count` (1-based) decides and runs: a contiguous range of groups,
/// split as a fixed sweep's run ids are ([`super::executor::shard_runs`]), so that a group (a
/// setting with all its options) is never divided between shards and each shard decides exactly
/// what the whole run decides for it.
pub fn shard_groups(groups: &[Group], index: u64, count: u64) -> &[Group] {
    let range = super::executor::shard_runs(groups.len() as u64, index, count);
    &groups[range.start as usize..range.end as usize]
}

/// The points `groups` hold, in point order.
pub fn points_of(groups: &[Group]) -> Vec<usize> {
    let mut points: Vec<usize> = groups
        .iter()
        .flat_map(|g| g.points.iter().copied())
        .collect();
    points.sort_unstable();
    points
}

/// The run ids of point p's first `replicates[p]` replicates, in run-id order, where point p's
/// replicate r is run `p × replications + r` (`replications` = the rule's `max`).
pub fn adaptive_run_ids(replications: u64, replicates: &[u64]) -> Vec<u64> {
    replicates
        .iter()
        .enumerate()
        .flat_map(|(p, &n)| (0..n).map(move |r| p as u64 * replications + r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_is_the_t_interval_of_the_mean() {
        let (h, mean) = half_width([1.0, 2.0, 3.0, 4.0]);
        assert!((mean - 2.5).abs() < 1e-12);
        // sd = 1.2910, se = 0.6455, t(0.975, 3) = 3.1824
        assert!((h - 3.182_446 * 0.645_497).abs() < 1e-4, "{h}");
        assert_eq!(half_width([1.0]).0, f64::INFINITY);
        assert_eq!(half_width([1.0, f64::NAN]).0, f64::INFINITY);
    }

    #[test]
    fn the_next_batch_follows_the_projection_within_bounds() {
        // Twice the target: the projection is 4n, capped at 2n.
        assert_eq!(next_total(10, 2.0, 1.0, 1000), 20);
        // 1.1 × the target: 10 × 1.21 = 12.1 → 13.
        assert_eq!(next_total(10, 1.1, 1.0, 1000), 13);
        // Barely above: at least one more.
        assert_eq!(next_total(10, 1.000_001, 1.0, 1000), 11);
        assert_eq!(next_total(10, 2.0, 1.0, 15), 15);
        // No interval yet, or a relative target around a zero mean: double.
        assert_eq!(next_total(10, f64::INFINITY, 1.0, 1000), 20);
        assert_eq!(next_total(10, 1.0, 0.0, 1000), 20);
    }

    #[test]
    fn options_are_judged_on_their_paired_differences() {
        // The baseline and the option share a large common part that cancels in the difference.
        let base: Vec<f64> = (0..10).map(|r| 100.0 * (r as f64).sin()).collect();
        let option: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(r, b)| b + 1.0 + 0.01 * r as f64)
            .collect();
        let paired = Group {
            points: vec![0, 1],
            baseline: Some(0),
        };
        let alone = Group {
            points: vec![0, 1],
            baseline: None,
        };
        let values = vec![base, option];
        let (h_paired, _, _) = widest(&paired, &values, Target::HalfWidth(0.1));
        let (h_alone, _, _) = widest(&alone, &values, Target::HalfWidth(0.1));
        assert!(h_paired < 0.05, "{h_paired}");
        assert!(h_alone > 10.0, "{h_alone}");
    }

    #[test]
    fn a_relative_target_scales_with_the_mean() {
        let group = Group {
            points: vec![0],
            baseline: None,
        };
        let values = vec![vec![99.0, 101.0, 100.0, 100.5, 99.5]];
        let (h, allowed, _) = widest(&group, &values, Target::RelativeHalfWidth(0.05));
        assert!((allowed - 5.0).abs() < 1e-9, "{allowed}");
        assert!(h < allowed);
    }

    proptest::proptest! {
        /// Every batch adds at least one replicate, at most doubles, and never passes `max`, so
        /// a point always ends within max − min batches.
        #[test]
        fn each_batch_grows_within_its_bounds(
            n in 2u64..10_000, h in 0.0f64..1e6, allowed in 0.0f64..1e3, extra in 1u64..20_000,
        ) {
            let max = n + extra;
            let next = next_total(n, h, allowed, max);
            proptest::prop_assert!(next > n && next <= max && next <= 2 * n, "{n} -> {next}");
        }
    }

    #[test]
    fn shards_hold_every_group_once_and_keep_a_settings_options_together() {
        // Two options over three settings: group `row` holds points row and 3 + row.
        let groups: Vec<Group> = (0..3)
            .map(|row| Group {
                points: vec![row, 3 + row],
                baseline: Some(0),
            })
            .collect();
        for count in 1..=5u64 {
            let held: Vec<Vec<usize>> = (1..=count)
                .map(|k| points_of(shard_groups(&groups, k, count)))
                .collect();
            let mut all: Vec<usize> = held.concat();
            all.sort_unstable();
            assert_eq!(all, (0..6).collect::<Vec<_>>(), "{count} shards: {held:?}");
        }
        assert_eq!(points_of(shard_groups(&groups, 2, 3)), vec![1, 4]);
        // More shards than settings: some shards hold nothing.
        assert!(points_of(shard_groups(&groups, 1, 5)).is_empty());
    }

    #[test]
    fn run_ids_are_a_prefix_of_each_points_fixed_ids() {
        assert_eq!(adaptive_run_ids(5, &[2, 0, 3]), vec![0, 1, 10, 11, 12]);
    }
}
