//! `summary.csv`: per point and metric, n, mean, sd, se, 95% confidence interval, min and max,
//! accumulated as runs stream past so memory grows with points × metrics, not with runs.

use super::Moments;

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
