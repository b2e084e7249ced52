//! Scenario discovery with PRIM, the patient rule induction method (Friedman & Fisher 1999), as
//! EMA Workbench's `prim.Prim` does it (Kwakkel 2017; quasi-p values of Bryant & Lempert 2010), so
//! that the two can be compared number for number (`scripts/prim_check.py`, `tests/robust.rs`).
//!
//! Input: the uncertain parameters of a design, one row per design point, and a yes/no case of
//! interest per point (evaluated on the replicate means: see [`super::robustness`] for the case
//! language). Output: boxes — limits on a few parameters inside which the case is common — with
//! their peeling trajectory.
//!
//! The algorithm, as EMA Workbench 2.5 (`ema_workbench/analysis/prim.py`) runs it by default:
//! - **Objective** `lenient1`: a candidate box is scored by the gain in the share of cases divided
//!   by the number of points it removes (or adds), (mean_new − mean_old) / |n_old − n_new|; ties go
//!   to the candidate with fewer restricted parameters, then to the first candidate (real columns
//!   first, then whole-number, then categorical; within a real or whole column the upper peel
//!   before the lower).
//! - **Peeling** (α = `peel_alpha`, 0.05): each real parameter may lose the points above its
//!   (1 − α) quantile or below its α quantile (EMA's `get_quantile`, the sdtoolkit rule: ties
//!   widened to the next distinct value, then the midpoint); a whole-number parameter the same, the
//!   quantile truncated to a whole number and the new limit the nearest value kept; a categorical
//!   parameter may lose any one category. The best candidate is taken while it keeps at least
//!   `mass_min` of all points, removes some and scores above 0.
//! - **Pasting** (α = `paste_alpha`, 0.05): a restricted limit moves back out to the α quantile of
//!   the points just beyond it (a category may come back) while that raises the share of cases and
//!   the mass. As in EMA, pasting is tried only when some real-valued parameter is restricted, and
//!   a whole-number limit pasted to a midpoint (4.5) is kept as it is, as the released EMA 2.5.3
//!   does (its development version truncates it); on whole numbers 4.5 admits what 4 admits, and
//!   [`Limit`]s are read inward (an upper 4.5 is "at most 4").
//! - Each step of peeling and pasting is a row of the **trajectory**: coverage (cases in the box /
//!   all cases), density (cases in the box / points in the box), mass (points in the box / all
//!   points), restricted parameters, and per restricted limit a **quasi-p value**: the one-sided
//!   binomial test of the box's cases against the share of cases with that limit removed
//!   (Bryant & Lempert 2010; EMA's `_calculate_quasip`). A limit with quasi-p above 0.05 adds little.
//! - Further boxes are found on the points outside the earlier boxes (EMA's default update).
//!
//! Which step of the trajectory to report is a choice: by default the last, the box EMA's
//! `find_box` ends on (its current box); with a `threshold`, the first (largest) step whose density
//! reaches it. Every step is in `prim_trajectory.csv`.

use std::collections::BTreeSet;

use statrs::distribution::{Binomial, DiscreteCDF};

/// What kind of values a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Real,
    /// Whole numbers (stored as f64 with no fraction).
    Whole,
    /// Names; the values are indices into this list.
    Categorical(Vec<String>),
}

/// The points PRIM looks at: parameters by column, and the case of interest per row.
#[derive(Debug, Clone)]
pub struct Data {
    pub names: Vec<String>,
    pub kinds: Vec<Kind>,
    /// `columns[c][row]`; a categorical value is its category's index.
    pub columns: Vec<Vec<f64>>,
    pub case: Vec<bool>,
}

impl Data {
    fn rows(&self) -> usize {
        self.case.len()
    }
}

/// PRIM's settings (EMA Workbench's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub peel_alpha: f64,
    pub paste_alpha: f64,
    pub mass_min: f64,
    /// The density at which a box is reported (see the module doc); `None`: the last step.
    pub threshold: Option<f64>,
    /// The most boxes to find.
    pub max_boxes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
            threshold: None,
            max_boxes: 1,
        }
    }
}

/// The limits on one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    Range(f64, f64),
    Categories(BTreeSet<usize>),
}

/// One step of a box's peeling and pasting trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    /// Points in the box, and cases among them.
    pub n: usize,
    pub k: usize,
    pub limits: Vec<Limit>,
    /// The restricted parameters (column indices), in column order.
    pub restricted: Vec<usize>,
    /// Per restricted parameter: the quasi-p values of its lower and upper limit (NaN where the
    /// limit is not restricted; a categorical parameter has one, in the first place).
    pub quasi_p: Vec<(f64, f64)>,
}

/// A box: its whole trajectory and the step reported.
#[derive(Debug, Clone)]
pub struct PrimBox {
    pub trajectory: Vec<Step>,
    pub chosen: usize,
}

impl PrimBox {
    pub fn chosen(&self) -> &Step {
        &self.trajectory[self.chosen]
    }
}

/// EMA Workbench's `get_quantile` (after sdtoolkit): on sorted data, the position (n − 1)·q; an
/// upper quantile (q > 0.5) widens down past equal values, a lower one up, and the result is the
/// midpoint of the two values reached.
pub fn ema_quantile(data: &[f64], quantile: f64) -> f64 {
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let i = (sorted.len() - 1) as f64 * quantile;
    let (mut lower, mut higher) = (i.floor() as usize, i.ceil() as usize);
    if quantile > 0.5 {
        while sorted[lower] == sorted[higher] && lower > 0 {
            lower -= 1;
        }
    } else {
        while sorted[lower] == sorted[higher] && higher < sorted.len() - 1 {
            higher += 1;
        }
    }
    (sorted[lower] + sorted[higher]) / 2.0
}

/// The one-sided binomial test scipy's `binomtest(k, n, p, alternative="greater")` reports:
/// P(X ≥ k) for X ~ Binomial(n, p).
pub fn binomial_greater(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n as u64) {
        Ok(b) => b.sf(k as u64 - 1),
        Err(_) => f64::NAN,
    }
}

/// A candidate box: the rows inside it and its limits.
type Candidate = (Vec<usize>, Vec<Limit>);

fn mean_case(case: &[bool], idx: &[usize]) -> f64 {
    if idx.is_empty() {
        0.0
    } else {
        idx.iter().filter(|&&i| case[i]).count() as f64 / idx.len() as f64
    }
}

/// EMA's `lenient1` objective: the change in the share of cases per point removed or added.
fn lenient1(case: &[bool], old: &[usize], new: &[usize]) -> f64 {
    let (mean_old, mean_new) = (mean_case(case, old), mean_case(case, new));
    if mean_old == mean_new || old.len() == new.len() {
        return 0.0;
    }
    (mean_new - mean_old) / old.len().abs_diff(new.len()) as f64
}

struct Prim<'a> {
    data: &'a Data,
    settings: Settings,
    init: Vec<Limit>,
    /// Column indices in EMA's order: real, then whole, then categorical.
    order: Vec<usize>,
    /// Rows not in an earlier box.
    remaining: Vec<usize>,
    total_cases: usize,
}

impl Prim<'_> {
    fn restricted(&self, limits: &[Limit]) -> Vec<usize> {
        (0..limits.len())
            .filter(|&c| limits[c] != self.init[c])
            .collect()
    }

    fn inside(&self, limits: &[Limit], row: usize) -> bool {
        limits.iter().enumerate().all(|(c, l)| {
            let x = self.data.columns[c][row];
            match l {
                Limit::Range(lo, hi) => *lo <= x && x <= *hi,
                Limit::Categories(set) => set.contains(&(x as usize)),
            }
        })
    }

    fn in_box(&self, limits: &[Limit]) -> Vec<usize> {
        self.remaining
            .iter()
            .copied()
            .filter(|&r| self.inside(limits, r))
            .collect()
    }

    fn step(&self, limits: Vec<Limit>, yi: &[usize]) -> Step {
        let case = &self.data.case;
        let k = yi.iter().filter(|&&i| case[i]).count();
        let n = yi.len();
        let restricted = self.restricted(&limits);
        let quasi_p = restricted
            .iter()
            .map(|&c| {
                let p_without = |lims: &[Limit]| {
                    let rows = self.in_box(lims);
                    let hits = rows.iter().filter(|&&i| case[i]).count();
                    binomial_greater(k, n, hits as f64 / rows.len() as f64)
                };
                match (&limits[c], &self.init[c]) {
                    (Limit::Range(lo, hi), Limit::Range(lo0, hi0)) => {
                        let mut qp = (f64::NAN, f64::NAN);
                        if lo != lo0 {
                            let mut l = limits.clone();
                            l[c] = Limit::Range(*lo0, *hi);
                            qp.0 = p_without(&l);
                        }
                        if hi != hi0 {
                            let mut l = limits.clone();
                            l[c] = Limit::Range(*lo, *hi0);
                            qp.1 = p_without(&l);
                        }
                        qp
                    }
                    _ => {
                        let mut l = limits.clone();
                        l[c] = self.init[c].clone();
                        (p_without(&l), f64::NAN)
                    }
                }
            })
            .collect();
        Step {
            coverage: k as f64 / self.total_cases.max(1) as f64,
            density: if n == 0 { 0.0 } else { k as f64 / n as f64 },
            mass: n as f64 / self.data.rows() as f64,
            n,
            k,
            limits,
            restricted,
            quasi_p,
        }
    }

    /// The first candidate with the highest (objective, unrestricted parameters).
    fn best<'c>(
        &self,
        current: &[usize],
        candidates: &'c [Candidate],
    ) -> Option<(f64, &'c Candidate)> {
        let mut best: Option<(f64, usize, &Candidate)> = None;
        for cand in candidates {
            let obj = lenient1(&self.data.case, current, &cand.0);
            let free = self.init.len() - self.restricted(&cand.1).len();
            let better = match best {
                None => true,
                Some((o, f, _)) => obj > o || (obj == o && free > f),
            };
            if better {
                best = Some((obj, free, cand));
            }
        }
        best.map(|(o, _, c)| (o, c))
    }

    fn peels(&self, limits: &[Limit], yi: &[usize]) -> Vec<Candidate> {
        let alpha = self.settings.peel_alpha;
        let mut out = Vec::new();
        for &c in &self.order {
            let col = &self.data.columns[c];
            let xj: Vec<f64> = yi.iter().map(|&i| col[i]).collect();
            match (&self.data.kinds[c], &limits[c]) {
                (Kind::Real, Limit::Range(lo, hi)) => {
                    let upper = ema_quantile(&xj, 1.0 - alpha);
                    let keep: Vec<usize> =
                        yi.iter().copied().filter(|&i| col[i] <= upper).collect();
                    let mut l = limits.to_vec();
                    l[c] = Limit::Range(*lo, upper);
                    out.push((keep, l));
                    let lower = ema_quantile(&xj, alpha);
                    let keep: Vec<usize> =
                        yi.iter().copied().filter(|&i| col[i] >= lower).collect();
                    let mut l = limits.to_vec();
                    l[c] = Limit::Range(lower, *hi);
                    out.push((keep, l));
                }
                (Kind::Whole, Limit::Range(lo, hi)) => {
                    let (lo, hi) = (*lo, *hi);
                    // Upper, then lower, as EMA's `_discrete_peel`.
                    let q = ema_quantile(&xj, 1.0 - alpha).trunc();
                    let keep_if = |x: f64| {
                        if q == hi {
                            x < hi && x >= lo
                        } else {
                            x <= q && x >= lo
                        }
                    };
                    let keep: Vec<usize> =
                        yi.iter().copied().filter(|&i| keep_if(col[i])).collect();
                    let new_hi = keep
                        .iter()
                        .map(|&i| col[i])
                        .chain(if keep.is_empty() {
                            xj.clone()
                        } else {
                            Vec::new()
                        })
                        .fold(f64::NEG_INFINITY, f64::max);
                    let mut l = limits.to_vec();
                    l[c] = Limit::Range(lo, new_hi);
                    out.push((keep, l));
                    let q = ema_quantile(&xj, alpha).trunc();
                    let keep_if = |x: f64| {
                        if q == lo {
                            x > lo && x <= hi
                        } else {
                            x >= q && x <= hi
                        }
                    };
                    let keep: Vec<usize> =
                        yi.iter().copied().filter(|&i| keep_if(col[i])).collect();
                    let new_lo = keep
                        .iter()
                        .map(|&i| col[i])
                        .chain(if keep.is_empty() {
                            xj.clone()
                        } else {
                            Vec::new()
                        })
                        .fold(f64::INFINITY, f64::min);
                    let mut l = limits.to_vec();
                    l[c] = Limit::Range(new_lo, hi);
                    out.push((keep, l));
                }
                (Kind::Categorical(_), Limit::Categories(set)) if set.len() > 1 => {
                    for &entry in set {
                        let mut fewer = set.clone();
                        fewer.remove(&entry);
                        let keep: Vec<usize> = yi
                            .iter()
                            .copied()
                            .filter(|&i| col[i] as usize != entry)
                            .collect();
                        let mut l = limits.to_vec();
                        l[c] = Limit::Categories(fewer);
                        out.push((keep, l));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn pastes(&self, limits: &[Limit]) -> Vec<Candidate> {
        let alpha = self.settings.paste_alpha;
        let restricted = self.restricted(limits);
        let mut out = Vec::new();
        for group in 0..3 {
            for &c in &self.order {
                if !restricted.contains(&c) || kind_group(&self.data.kinds[c]) != group {
                    continue;
                }
                let col = &self.data.columns[c];
                match (&limits[c], &self.init[c]) {
                    (Limit::Range(lo, hi), Limit::Range(min, max)) => {
                        for lower in [true, false] {
                            let mut probe = limits.to_vec();
                            probe[c] = if lower {
                                Limit::Range(*min, *lo)
                            } else {
                                Limit::Range(*hi, *max)
                            };
                            let beyond: Vec<f64> =
                                self.in_box(&probe).iter().map(|&i| col[i]).collect();
                            let value = match (beyond.is_empty(), lower) {
                                (true, true) => *min,
                                (true, false) => *max,
                                (false, true) => ema_quantile(&beyond, 1.0 - alpha),
                                (false, false) => ema_quantile(&beyond, alpha),
                            };
                            let mut l = limits.to_vec();
                            l[c] = if lower {
                                Limit::Range(value, *hi)
                            } else {
                                Limit::Range(*lo, value)
                            };
                            out.push((self.in_box(&l), l));
                        }
                    }
                    (Limit::Categories(set), Limit::Categories(all)) => {
                        for &entry in all.difference(set) {
                            let mut more = set.clone();
                            more.insert(entry);
                            let mut l = limits.to_vec();
                            l[c] = Limit::Categories(more);
                            out.push((self.in_box(&l), l));
                        }
                    }
                    _ => {}
                }
            }
            // EMA returns as soon as a group of columns (real, whole, categorical, in that order)
            // has given no candidate yet; kept so that the two agree.
            if out.is_empty() {
                return out;
            }
        }
        out
    }

    fn find_box(&mut self) -> Option<PrimBox> {
        if self.remaining.is_empty() {
            return None;
        }
        let n = self.data.rows() as f64;
        let mut limits = self.init.clone();
        let mut yi = self.remaining.clone();
        let mut trajectory = vec![self.step(limits.clone(), &yi)];
        // Peeling.
        loop {
            let candidates = self.peels(&limits, &yi);
            let Some((obj, (keep, l))) = self.best(&yi, &candidates) else {
                break;
            };
            let (mass_new, mass_old) = (keep.len() as f64 / n, yi.len() as f64 / n);
            if mass_new >= self.settings.mass_min && mass_new < mass_old && obj > 0.0 {
                limits = l.clone();
                yi = keep.clone();
                trajectory.push(self.step(limits.clone(), &yi));
            } else {
                break;
            }
        }
        // Pasting.
        loop {
            let candidates = self.pastes(&limits);
            let Some((obj, (keep, l))) = self.best(&yi, &candidates) else {
                break;
            };
            let (mass_new, mass_old) = (keep.len() as f64 / n, yi.len() as f64 / n);
            let (mean_old, mean_new) = (
                mean_case(&self.data.case, &yi),
                mean_case(&self.data.case, keep),
            );
            if mass_new >= self.settings.mass_min
                && mass_new > mass_old
                && obj > 0.0
                && mean_new > mean_old
            {
                limits = l.clone();
                yi = keep.clone();
                trajectory.push(self.step(limits.clone(), &yi));
            } else {
                break;
            }
        }
        let in_box: BTreeSet<usize> = yi.iter().copied().collect();
        self.remaining.retain(|r| !in_box.contains(r));
        let last = trajectory.len() - 1;
        let chosen = self.settings.threshold.map_or(last, |t| {
            trajectory
                .iter()
                .position(|s| s.density >= t)
                .unwrap_or(last)
        });
        Some(PrimBox { trajectory, chosen })
    }
}

fn kind_group(kind: &Kind) -> u8 {
    match kind {
        Kind::Real => 0,
        Kind::Whole => 1,
        Kind::Categorical(_) => 2,
    }
}

/// Finds up to `settings.max_boxes` boxes, each on the points outside the earlier ones; stops early
/// when no points remain or a box holds no case.
pub fn find_boxes(data: &Data, settings: Settings) -> Vec<PrimBox> {
    let init: Vec<Limit> = data
        .kinds
        .iter()
        .zip(&data.columns)
        .map(|(kind, col)| match kind {
            Kind::Categorical(_) => Limit::Categories(col.iter().map(|&x| x as usize).collect()),
            _ => Limit::Range(
                col.iter().copied().fold(f64::INFINITY, f64::min),
                col.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        })
        .collect();
    let mut order: Vec<usize> = (0..data.names.len()).collect();
    order.sort_by_key(|&c| kind_group(&data.kinds[c]));
    let mut prim = Prim {
        data,
        settings,
        init,
        order,
        remaining: (0..data.rows()).collect(),
        total_cases: data.case.iter().filter(|&&c| c).count(),
    };
    let mut boxes = Vec::new();
    while boxes.len() < settings.max_boxes {
        let Some(b) = prim.find_box() else { break };
        let empty = b.chosen().k == 0;
        boxes.push(b);
        if empty {
            break;
        }
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng;
    use rand::Rng as _;

    #[test]
    fn quantiles_follow_ema() {
        let d = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(ema_quantile(&d, 0.05), 1.5);
        assert_eq!(ema_quantile(&d, 0.95), 4.5);
        // Ties are widened to the next distinct value.
        assert_eq!(ema_quantile(&[1.0, 1.0, 1.0, 2.0], 0.05), 1.5);
        assert_eq!(ema_quantile(&[7.0], 0.05), 7.0);
    }

    #[test]
    fn binomial_test_matches_scipy() {
        // scipy.stats.binomtest(7, 10, 0.3, alternative="greater").pvalue
        assert!((binomial_greater(7, 10, 0.3) - 0.010_592_078_399_999_98).abs() < 1e-12);
        assert_eq!(binomial_greater(0, 10, 0.3), 1.0);
    }

    /// Points uniform on [0,1]² × a whole number in 1..=10 × a category of three; the case is
    /// x0 > 0.6 and w ≤ 4, flipped at random for 5% of points.
    fn synthetic(seed: u64, n: usize) -> Data {
        let mut r = rng::stream(seed, 1);
        let mut columns = vec![Vec::new(); 4];
        let mut case = Vec::new();
        for _ in 0..n {
            let x0: f64 = r.random();
            let x1: f64 = r.random();
            let w = r.random_range(1..=10) as f64;
            let c = r.random_range(0..3usize) as f64;
            let inside = x0 > 0.6 && w <= 4.0;
            let flip = r.random::<f64>() < 0.05;
            columns[0].push(x0);
            columns[1].push(x1);
            columns[2].push(w);
            columns[3].push(c);
            case.push(inside != flip);
        }
        Data {
            names: vec!["x0".into(), "x1".into(), "w".into(), "c".into()],
            kinds: vec![
                Kind::Real,
                Kind::Real,
                Kind::Whole,
                Kind::Categorical(vec!["a".into(), "b".into(), "c".into()]),
            ],
            columns,
            case,
        }
    }

    #[test]
    fn a_known_box_is_recovered_through_noise() {
        for seed in [1, 2, 3] {
            let data = synthetic(seed, 2000);
            let boxes = find_boxes(&data, Settings::default());
            let last = boxes[0].chosen();
            // Greedy peeling also trims noise parameters a little; the quasi-p values tell which
            // limits matter: exactly x0 from below and w from above.
            let significant: Vec<(usize, bool)> = last
                .restricted
                .iter()
                .zip(&last.quasi_p)
                .flat_map(|(&c, &(lo, hi))| {
                    [(c, true, lo), (c, false, hi)]
                        .into_iter()
                        .filter(|x| x.2 < 0.05)
                        .map(|x| (x.0, x.1))
                })
                .collect();
            assert_eq!(
                significant,
                vec![(0, true), (2, false)],
                "seed {seed}: {last:?}"
            );
            let Limit::Range(lo, _) = last.limits[0] else {
                panic!()
            };
            let Limit::Range(_, hi) = last.limits[2] else {
                panic!()
            };
            assert!((lo - 0.6).abs() < 0.03, "seed {seed}: x0 from {lo}");
            assert_eq!(hi, 4.0, "seed {seed}");
            // On the way, the true box itself: only x0 and w restricted, dense and covering.
            let clean = boxes[0]
                .trajectory
                .iter()
                .filter(|s| s.restricted == vec![0, 2])
                .max_by(|a, b| a.density.total_cmp(&b.density))
                .unwrap_or_else(|| panic!("seed {seed}: no step restricts only x0 and w"));
            assert!(
                clean.density > 0.85 && clean.coverage > 0.7,
                "seed {seed}: {clean:?}"
            );
        }
    }

    #[test]
    fn no_signal_gives_no_restriction_worth_keeping() {
        let mut data = synthetic(9, 1000);
        let mut r = rng::stream(10, 1);
        data.case = (0..1000).map(|_| r.random::<f64>() < 0.3).collect();
        let boxes = find_boxes(&data, Settings::default());
        let step = boxes[0].chosen();
        // Peeling on noise finds dense corners, but none reaches the threshold with mass.
        assert!(step.density < 0.8, "{step:?}");
    }
}
