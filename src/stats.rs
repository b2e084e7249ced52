//! Statistics over replicates: streaming moments, Student's t confidence intervals, and the
//! per-point summary table behind `summary.csv`.
//!
//! Kept below both the output sink (which accumulates the summary as runs stream past) and the
//! analysis of saved directories (which recomputes moments for comparisons and plots), so neither
//! has to import the other. Summaries are accumulated as runs stream past, so memory grows with
//! points × metrics, not with runs.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Streaming mean and variance (Welford 1962), with min and max; NaN values are skipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: u64,
    mean: f64,
    m2: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Self {
        let mut m = Moments::default();
        values.into_iter().for_each(|x| m.push(x));
        m
    }

    /// The mean, or NaN with no values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// The sample standard deviation (n − 1), or NaN with fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }

    /// The standard error of the mean.
    pub fn se(&self) -> f64 {
        self.sd() / (self.n as f64).sqrt()
    }

    /// The two-sided 95% confidence interval for the mean, from Student's t with n − 1 degrees of
    /// freedom; NaN with fewer than two values.
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let half = t_quantile_975(self.n - 1) * self.se();
        (self.mean - half, self.mean + half)
    }

    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }

    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: u64) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// Running summaries for every (point, metric).
#[derive(Debug, Clone)]
pub struct SummaryTable {
    metrics: usize,
    cells: Vec<Moments>,
}

impl SummaryTable {
    pub fn new(points: usize, metrics: usize) -> Self {
        SummaryTable {
            metrics,
            cells: vec![Moments::default(); points * metrics],
        }
    }

    pub fn add(&mut self, point: usize, finals: &[f64]) {
        let row = &mut self.cells[point * self.metrics..(point + 1) * self.metrics];
        for (cell, &x) in row.iter_mut().zip(finals) {
            cell.push(x);
        }
    }

    pub fn get(&self, point: usize, metric: usize) -> &Moments {
        &self.cells[point * self.metrics + metric]
    }
}

/// Ranks from 1, ties given their mean rank (for Spearman's coefficient).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut out = vec![0.0; values.len()];
    let mut s = 0;
    while s < order.len() {
        let mut e = s;
        while e + 1 < order.len() && values[order[e + 1]] == values[order[s]] {
            e += 1;
        }
        let rank = (s + e) as f64 / 2.0 + 1.0;
        for &i in &order[s..=e] {
            out[i] = rank;
        }
        s = e + 1;
    }
    out
}

/// Pearson's correlation of `x` and `y` over the rows `idx` (a bootstrap resample, or all rows);
/// NaN when either is constant there.
pub fn correlation(x: &[f64], y: &[f64], idx: &[usize]) -> f64 {
    let n = idx.len() as f64;
    let mx = idx.iter().map(|&i| x[i]).sum::<f64>() / n;
    let my = idx.iter().map(|&i| y[i]).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &i in idx {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx).powi(2);
        syy += (y[i] - my).powi(2);
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn correlation_is_one_for_a_line_and_nan_for_a_constant() {
        let all = [0, 1, 2, 3];
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((correlation(&x, &[3.0, 5.0, 7.0, 9.0], &all) - 1.0).abs() < 1e-12);
        assert!(correlation(&x, &[2.0; 4], &all).is_nan());
    }

    #[test]
    fn moments_match_hand_computation() {
        let m = Moments::from_values([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.n, 8);
        assert!((m.mean() - 5.0).abs() < 1e-12);
        // sample variance = 32 / 7
        assert!((m.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!((m.min(), m.max()), (2.0, 9.0));
    }

    #[test]
    fn nan_is_skipped_and_empty_is_nan() {
        let m = Moments::from_values([1.0, f64::NAN, 3.0]);
        assert_eq!(m.n, 2);
        assert_eq!(m.mean(), 2.0);
        assert!(Moments::default().mean().is_nan());
        assert!(Moments::from_values([1.0]).ci95().0.is_nan());
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Standard tables: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, t(0.975; 79) = 1.990.
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile_975(79) - 1.990).abs() < 1e-3);
    }

    #[test]
    fn ci_of_known_sample() {
        // values 1..=10: mean 5.5, sd 3.0277, se 0.9574, t(9) 2.2622 -> half width 2.1659
        let m = Moments::from_values((1..=10).map(f64::from));
        let (lo, hi) = m.ci95();
        assert!((lo - (5.5 - 2.16588)).abs() < 1e-4, "{lo}");
        assert!((hi - (5.5 + 2.16588)).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn summary_table_keeps_cells_apart() {
        let mut t = SummaryTable::new(2, 2);
        t.add(0, &[1.0, 10.0]);
        t.add(1, &[2.0, 20.0]);
        t.add(0, &[3.0, 30.0]);
        assert_eq!(t.get(0, 0).mean(), 2.0);
        assert_eq!(t.get(0, 1).mean(), 20.0);
        assert_eq!(t.get(1, 1).n, 1);
    }
}
