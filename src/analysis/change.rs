//! Ensemble change measures: the J-curve of a scheduled change, read from the paired mean trajectory.
//!
//! A per-run "dip" (each replicate's running minimum of option − reference) measures noise: once a
//! change alters the random draws, the gap is a random walk whose minimum is negative almost surely.
//! A J-curve is a property of the ensemble, so it is measured here on the paired mean (MODEL.md §9.6).
//!
//! For pairs r = 1..R (replicate r of the option against replicate r of the baseline: common random
//! numbers), Δ_r(t) = option − baseline at every recorded tick. D(t) = mean_r Δ_r(t) and
//! s(t) = sd_r/√R. The pointwise 95% band is D ± t(.975, R−1)·s, for the figure only; decisions use
//! the simultaneous (sup-t) band D ± c·s, with c the 95% quantile of max_t |D^b − D|/s over B pair
//! bootstraps (Montiel Olea & Plagborg-Møller 2019), so that "the band stays above 0 from week t"
//! is a statement about the whole path at once, not 65 separate 5% chances of a false alarm.
//!
//! Ticks where s = 0 (every pair has the same Δ, e.g. 0 before the change) carry no sampling error:
//! their bands collapse onto D, and they are left out of the sup-t maximum (0/0 there). When no tick
//! has s > 0, c = 0 and the bands are D itself: a no-op change reports exactly 0 and "no dip".
//!
//! Only the statistics live here; the CSV layout is [`super::format`]'s.

use std::collections::HashMap;

use rand::Rng as _;

use super::compare::groups;
use super::saved::{Saved, TimeSeries};
use crate::engine::rng::{Rng, mix64, stream};
use crate::error::InputError;
use crate::output::manifest::Manifest;
use crate::stats::{Moments, t_quantile_975};

/// Bootstrap resamples of the pairs (MODEL.md §9.6).
pub const BOOTSTRAPS: usize = 2000;

/// The paired mean trajectory D(t) with its two 95% bands, at the recorded ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub ticks: Vec<u64>,
    pub mean: Vec<f64>,
    pub pointwise_lo: Vec<f64>,
    pub pointwise_hi: Vec<f64>,
    pub simultaneous_lo: Vec<f64>,
    pub simultaneous_hi: Vec<f64>,
    /// The sup-t critical value c (0 when no tick has sampling error).
    pub critical: f64,
}

/// The measures read off a [`Trajectory`]. Weeks are ticks; `None` is "not within the horizon".
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// t_c: the first scheduled change of the option or its baseline.
    pub change_tick: u64,
    /// max(0, −D(t*)).
    pub dip_depth: f64,
    /// 95% bootstrap interval of max(0, −min_{t ≥ t_c} D^b(t)).
    pub dip_lo: f64,
    pub dip_hi: f64,
    /// t* = argmin_{t ≥ t_c} D(t) (the first such tick on ties); `None` when no tick is recorded
    /// at or after the change.
    pub dip_week: Option<u64>,
    /// The simultaneous upper edge at t* is below 0.
    pub dip_significant: bool,
    /// min{t ≥ t*: simultaneous lower edge ≥ 0 on all of [t, T]} − t_c.
    pub weeks_to_recover: Option<u64>,
    /// The first t ≥ t* from which D ≥ 0 to the horizon.
    pub breakeven_week: Option<u64>,
    /// Pairs R used (replicates complete in both arms).
    pub pairs: usize,
}

/// The J-curve of one option against the baseline on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionChange {
    /// The option's name, with the swept setting after " @ " when the options are swept.
    pub option: String,
    pub metric: String,
    pub trajectory: Trajectory,
    pub measures: Measures,
}

/// Whether a saved output gets change measures: it compares `[[option]]`s and something changes on
/// a schedule (an option's or a point's).
pub fn applies(manifest: &Manifest) -> bool {
    !manifest.options.is_empty()
        && (manifest.options.iter().any(|o| !o.schedule.is_empty())
            || manifest.points.iter().any(|p| !p.schedule.is_empty()))
}

/// The empirical q-quantile (type 1: the smallest value with at least q of the mass at or below it).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

/// The band, the dip and the recovery from paired differences `deltas[r][k]` at `ticks[k]`
/// (ascending), for a change at `change_tick`, with `boots` bootstrap resamples drawn from `rng`.
pub fn measure(
    ticks: &[u64],
    deltas: &[Vec<f64>],
    change_tick: u64,
    rng: &mut Rng,
    boots: usize,
) -> (Trajectory, Measures) {
    let pairs = deltas.len();
    let t_len = ticks.len();
    let moments: Vec<Moments> = (0..t_len)
        .map(|k| Moments::from_values(deltas.iter().map(|d| d[k])))
        .collect();
    let mean: Vec<f64> = moments.iter().map(Moments::mean).collect();
    let se: Vec<f64> = moments
        .iter()
        .map(|m| m.sd() / (pairs as f64).sqrt())
        .collect();
    let after: Vec<usize> = (0..t_len).filter(|&k| ticks[k] >= change_tick).collect();

    // Bootstrap of pairs: each resample's sup-t statistic and its dip.
    let mut sups = Vec::with_capacity(boots);
    let mut dips = Vec::with_capacity(boots);
    if pairs >= 2 {
        let mut sum = vec![0.0; t_len];
        for _ in 0..boots {
            sum.iter_mut().for_each(|x| *x = 0.0);
            for _ in 0..pairs {
                let row = &deltas[rng.random_range(0..pairs)];
                for (s, x) in sum.iter_mut().zip(row) {
                    *s += x;
                }
            }
            let mut sup: f64 = 0.0;
            let mut low = f64::INFINITY;
            for k in 0..t_len {
                let db = sum[k] / pairs as f64;
                if se[k] > 0.0 {
                    sup = sup.max((db - mean[k]).abs() / se[k]);
                }
                if ticks[k] >= change_tick {
                    low = low.min(db);
                }
            }
            sups.push(sup);
            dips.push(if low < 0.0 { -low } else { 0.0 });
        }
        sups.sort_by(f64::total_cmp);
        dips.sort_by(f64::total_cmp);
    }
    let any_error = se.iter().any(|&s| s > 0.0);
    let critical = if pairs < 2 {
        f64::NAN
    } else if any_error {
        quantile(&sups, 0.95)
    } else {
        0.0
    };
    let t975 = if pairs >= 2 {
        t_quantile_975(pairs as u64 - 1)
    } else {
        f64::NAN
    };
    // s = 0: the band is D itself (avoids 0·∞ and NaN from c when nothing varies).
    let band = |k: usize, width: f64| {
        if se[k] == 0.0 {
            (mean[k], mean[k])
        } else {
            (mean[k] - width * se[k], mean[k] + width * se[k])
        }
    };
    let (pointwise_lo, pointwise_hi): (Vec<f64>, Vec<f64>) =
        (0..t_len).map(|k| band(k, t975)).unzip();
    let (simultaneous_lo, simultaneous_hi): (Vec<f64>, Vec<f64>) =
        (0..t_len).map(|k| band(k, critical)).unzip();

    let star = after
        .iter()
        .copied()
        .reduce(|best, k| if mean[k] < mean[best] { k } else { best });
    // The first index from which `ok` holds to the horizon, not before `from`.
    let holds_from = |from: usize, ok: &dyn Fn(usize) -> bool| {
        let mut start = t_len;
        while start > from && ok(start - 1) {
            start -= 1;
        }
        (start < t_len).then_some(start)
    };
    let measures = match star {
        None => Measures {
            change_tick,
            dip_depth: f64::NAN,
            dip_lo: f64::NAN,
            dip_hi: f64::NAN,
            dip_week: None,
            dip_significant: false,
            weeks_to_recover: None,
            breakeven_week: None,
            pairs,
        },
        Some(star) => Measures {
            change_tick,
            dip_depth: if mean[star] < 0.0 { -mean[star] } else { 0.0 },
            dip_lo: quantile(&dips, 0.025),
            dip_hi: quantile(&dips, 0.975),
            dip_week: Some(ticks[star]),
            dip_significant: simultaneous_hi[star] < 0.0,
            weeks_to_recover: holds_from(star, &|k| simultaneous_lo[k] >= 0.0)
                .map(|k| ticks[k] - change_tick),
            breakeven_week: holds_from(star, &|k| mean[k] >= 0.0).map(|k| ticks[k]),
            pairs,
        },
    };
    let trajectory = Trajectory {
        ticks: ticks.to_vec(),
        mean,
        pointwise_lo,
        pointwise_hi,
        simultaneous_lo,
        simultaneous_hi,
        critical,
    };
    (trajectory, measures)
}

/// Paired differences option − baseline of metric `k`: the ticks the baseline recorded, and one row
/// per replicate that has a finite value at every one of them in both arms.
pub fn paired(
    series: &TimeSeries,
    k: usize,
    option: usize,
    baseline: usize,
) -> (Vec<u64>, Vec<Vec<f64>>) {
    let mut at: HashMap<(usize, u64, u64), f64> = HashMap::new();
    let mut ticks = Vec::new();
    let mut reps = Vec::new();
    for row in 0..series.tick.len() {
        let p = series.point_id[row];
        if p != option && p != baseline {
            continue;
        }
        let (r, t) = (series.replicate[row], series.tick[row]);
        at.insert((p, r, t), series.values[k][row]);
        if p == baseline {
            ticks.push(t);
            reps.push(r);
        }
    }
    ticks.sort_unstable();
    ticks.dedup();
    reps.sort_unstable();
    reps.dedup();
    let deltas = reps
        .iter()
        .filter_map(|&r| {
            ticks
                .iter()
                .map(|&t| {
                    let d = at.get(&(option, r, t))? - at.get(&(baseline, r, t))?;
                    d.is_finite().then_some(d)
                })
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    (ticks, deltas)
}

/// The change measures of a saved output on its first headline metric, one per non-baseline
/// option (and swept setting); `None` when [`applies`] is false or no time series was recorded.
pub fn analyse(saved: &Saved) -> Result<Option<Vec<OptionChange>>, InputError> {
    let manifest = &saved.manifest;
    if !applies(manifest) {
        return Ok(None);
    }
    let Some(series) = saved.timeseries()? else {
        return Ok(None);
    };
    let Some(metric) = manifest
        .metrics
        .iter()
        .find(|m| m.headline)
        .or(manifest.metrics.first())
    else {
        return Ok(None);
    };
    let k = saved.metric_index(&metric.name);
    let first_change = |point: usize| manifest.points[point].schedule.iter().map(|c| c.at).min();
    let mut out = Vec::new();
    for group in groups(manifest, None)? {
        let base = &group.arms[group.baseline];
        for arm in group.arms.iter().filter(|a| a.point_id != base.point_id) {
            // An option that differs from the start (no schedule on either side) changes at 0.
            let change_tick = [first_change(arm.point_id), first_change(base.point_id)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(0);
            let (ticks, deltas) = paired(&series, k, arm.point_id, base.point_id);
            // Seeded from the master seed and the option's point alone: the same bands every time.
            let mut rng = stream(
                mix64(manifest.master_seed),
                0xC4A9_6E00 + arm.point_id as u64,
            );
            let (trajectory, measures) =
                measure(&ticks, &deltas, change_tick, &mut rng, BOOTSTRAPS);
            let option = if group.setting.is_empty() {
                arm.label.clone()
            } else {
                format!("{} @ {}", arm.label, group.setting)
            };
            out.push(OptionChange {
                option,
                metric: metric.name.clone(),
                trajectory,
                measures,
            });
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> Rng {
        stream(1, 2)
    }

    /// A dip to −3 at tick 3 then recovery to +6, with noise ±0.1 per pair alternating in sign.
    fn jcurve(pairs: usize) -> (Vec<u64>, Vec<Vec<f64>>) {
        let ticks: Vec<u64> = (0..8).collect();
        let shape = [0.0, 0.0, -1.0, -3.0, -1.0, 2.0, 4.0, 6.0];
        let deltas = (0..pairs)
            .map(|r| {
                let e = if r % 2 == 0 { 0.1 } else { -0.1 };
                shape
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| if k < 2 { 0.0 } else { x + e * k as f64 })
                    .collect()
            })
            .collect();
        (ticks, deltas)
    }

    #[test]
    fn a_known_dip_is_found_with_its_week_depth_and_recovery() {
        let (ticks, deltas) = jcurve(40);
        let (traj, m) = measure(&ticks, &deltas, 2, &mut rng(), 500);
        assert_eq!(m.dip_week, Some(3));
        assert!((m.dip_depth - 3.0).abs() < 1e-12, "{}", m.dip_depth);
        assert!(m.dip_significant);
        assert!(m.dip_lo <= 3.0 && 3.0 <= m.dip_hi + 1e-12);
        // D ≥ 0 from tick 5 on, and the band is narrow enough to show it: 5 − t_c = 3.
        assert_eq!(m.breakeven_week, Some(5));
        assert_eq!(m.weeks_to_recover, Some(3));
        assert_eq!(m.pairs, 40);
        // Before the change every Δ is 0: the bands are exactly 0 there.
        for k in 0..2 {
            assert_eq!(
                (traj.mean[k], traj.simultaneous_lo[k], traj.pointwise_hi[k]),
                (0.0, 0.0, 0.0)
            );
        }
        // Every pair deviates in the same direction at every tick, so the sup over ticks is one
        // |z|: c is near the normal 1.96, not inflated by the number of ticks.
        assert!(
            traj.critical > 1.5 && traj.critical < 2.5,
            "{}",
            traj.critical
        );
    }

    #[test]
    fn all_zero_differences_are_no_dip_with_zero_bands() {
        let ticks: Vec<u64> = vec![4, 8, 12];
        let deltas = vec![vec![0.0; 3]; 10];
        let (traj, m) = measure(&ticks, &deltas, 8, &mut rng(), 200);
        assert_eq!(traj.critical, 0.0);
        assert!(traj.simultaneous_lo.iter().all(|&x| x == 0.0));
        assert_eq!(m.dip_depth, 0.0);
        assert!(!m.dip_significant);
        assert_eq!((m.dip_lo, m.dip_hi), (0.0, 0.0));
        assert_eq!(m.dip_week, Some(8));
        assert_eq!(m.weeks_to_recover, Some(0));
        assert_eq!(m.breakeven_week, Some(8));
    }

    #[test]
    fn pure_noise_is_no_dip_and_never_shown_to_recover() {
        // Pairs ±1 around 0 at every tick after the change: the band contains 0 everywhere.
        let ticks: Vec<u64> = (0..20).collect();
        let mut r = stream(9, 9);
        let deltas: Vec<Vec<f64>> = (0..200)
            .map(|_| {
                (0..20)
                    .map(|k| {
                        if k < 5 {
                            0.0
                        } else {
                            r.random_range(-1.0..1.0)
                        }
                    })
                    .collect()
            })
            .collect();
        let (traj, m) = measure(&ticks, &deltas, 5, &mut rng(), 1000);
        assert!(!m.dip_significant, "{m:?}");
        assert!(m.dip_lo >= 0.0 && m.dip_hi > 0.0);
        assert_eq!(m.weeks_to_recover, None);
        // Sup-t over 15 independent ticks needs a wider band than the pointwise t of 1.97.
        assert!(
            traj.critical > 2.2 && traj.critical < 4.0,
            "{}",
            traj.critical
        );
        for k in 5..20 {
            assert!(traj.simultaneous_lo[k] < traj.pointwise_lo[k]);
            assert!(traj.simultaneous_hi[k] > traj.pointwise_hi[k]);
        }
    }

    #[test]
    fn a_change_beyond_the_horizon_and_too_few_pairs_say_so() {
        let (_, m) = measure(
            &[1, 2],
            &[vec![0.0, 1.0], vec![0.0, 2.0]],
            9,
            &mut rng(),
            50,
        );
        assert_eq!((m.dip_week, m.weeks_to_recover), (None, None));
        let (traj, m) = measure(&[1, 2], &[vec![0.0, -1.0]], 1, &mut rng(), 50);
        assert!(traj.critical.is_nan() && !m.dip_significant);
        assert_eq!(m.dip_depth, 1.0);
        assert_eq!(m.weeks_to_recover, None);
    }

    #[test]
    fn the_bootstrap_is_deterministic() {
        let (ticks, deltas) = jcurve(30);
        let a = measure(&ticks, &deltas, 2, &mut rng(), 300);
        let b = measure(&ticks, &deltas, 2, &mut rng(), 300);
        assert_eq!(a, b);
    }

    #[test]
    fn quantile_is_type_1() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&x, 0.5), 2.0);
        assert_eq!(quantile(&x, 0.95), 4.0);
        assert_eq!(quantile(&x, 0.0), 1.0);
    }
}
