//! Sampling designs in the unit cube: Latin hypercube, plain random, Saltelli's scheme on a
//! scrambled Sobol sequence, and Morris trajectories. Pure functions of (size, dimension, seed).
//!
//! Rows come out in the order SALib's samplers write them (`sobol.sample`, `morris.sample`), so
//! SALib's analysers read our `points.csv` row for row. A scenario maps each coordinate onto a
//! parameter ([`super::space`]); the sensitivity analysis recomputes the same unit rows from the
//! manifest's design, so the analysis knows each row's role without reading parameter values back.

use rand::Rng as _;
use rand::seq::SliceRandom;

use crate::engine::rng::{self, mix64};

/// The most base rows of a Sobol design: the sequence (`sobol_burley`) has 2^16 points.
pub const MAX_SOBOL_N: usize = 1 << 16;
/// The most parameters of a Sobol design: the sequence has 256 dimensions, and A and B use 2d.
pub const MAX_SOBOL_DIMENSIONS: usize = 128;

/// `n` points, each coordinate in its own stratum `[k/n, (k+1)/n)` exactly once per parameter
/// (McKay, Beckman & Conover 1979), strata matched at random and a uniform draw inside each.
pub fn lhs(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rows = vec![vec![0.0; d]; n];
    for j in 0..d {
        let mut rng = rng::stream(mix64(seed), j as u64);
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        for (row, &k) in rows.iter_mut().zip(&strata) {
            row[j] = (k as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    rows
}

/// `n` independent uniform points.
pub fn random(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng::stream(mix64(seed), 0x5241_4E44);
    (0..n)
        .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
        .collect()
}

/// How many rows each base row of a Saltelli design gives: A, AB_1..AB_d, [BA_1..BA_d], B.
pub fn saltelli_block(d: usize, second_order: bool) -> usize {
    if second_order { 2 * d + 2 } else { d + 2 }
}

/// Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010) on an Owen-scrambled Sobol sequence of
/// dimension 2d (Burley 2020, crate `sobol_burley`): the first d coordinates of point i are A_i, the
/// last d are B_i. For each i, in SALib's order: A_i, then AB_i^k (A_i with coordinate k from B_i)
/// for k = 1..d, then with `second_order` BA_i^k (B_i with coordinate k from A_i), then B_i.
/// Needs `n <= MAX_SOBOL_N` and `d <= MAX_SOBOL_DIMENSIONS`.
pub fn saltelli(n: usize, d: usize, second_order: bool, seed: u64) -> Vec<Vec<f64>> {
    assert!(n <= MAX_SOBOL_N && d <= MAX_SOBOL_DIMENSIONS);
    let scramble = mix64(seed) as u32;
    let mut rows = Vec::with_capacity(n * saltelli_block(d, second_order));
    for i in 0..n {
        let point: Vec<f64> = (0..2 * d)
            .map(|j| f64::from(sobol_burley::sample(i as u32, j as u32, scramble)))
            .collect();
        let (a, b) = point.split_at(d);
        rows.push(a.to_vec());
        for k in 0..d {
            let mut ab = a.to_vec();
            ab[k] = b[k];
            rows.push(ab);
        }
        if second_order {
            for k in 0..d {
                let mut ba = b.to_vec();
                ba[k] = a[k];
                rows.push(ba);
            }
        }
        rows.push(b.to_vec());
    }
    rows
}

/// The Morris step on the unit grid of `levels` levels: p / (2 (p - 1)).
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `trajectories` Morris trajectories (Morris 1991, as SALib's `morris.sample` without
/// optimisation), stacked: each has d + 1 rows on the grid {0, 1/(p-1), …, 1} of `levels` = p
/// (even) levels. A trajectory starts at x* (each coordinate drawn from {0, …, 1 - Δ} on the grid)
/// moved up by Δ where its random direction is down; then one coordinate at a time, in a random
/// order, moves by Δ = p / (2(p - 1)) up or down.
pub fn morris(trajectories: usize, levels: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let delta = morris_delta(levels);
    let half = levels / 2;
    let mut rows = Vec::with_capacity(trajectories * (d + 1));
    for t in 0..trajectories {
        let mut rng = rng::stream(mix64(seed), t as u64);
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(&mut rng);
        let up: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
        let start: Vec<f64> = (0..d)
            .map(|_| rng.random_range(0..half) as f64 / (levels as f64 - 1.0))
            .collect();
        let mut x: Vec<f64> = start
            .iter()
            .zip(&up)
            .map(|(s, &u)| if u { *s } else { s + delta })
            .collect();
        rows.push(x.clone());
        for &k in &order {
            x[k] = if up[k] { start[k] + delta } else { start[k] };
            rows.push(x.clone());
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saltelli_rows_follow_salib_layout() {
        let (n, d) = (8, 3);
        let rows = saltelli(n, d, true, 5);
        assert_eq!(rows.len(), n * saltelli_block(d, true));
        for block in rows.chunks(2 * d + 2) {
            let (a, b) = (&block[0], &block[2 * d + 1]);
            for k in 0..d {
                let (ab, ba) = (&block[1 + k], &block[1 + d + k]);
                for j in 0..d {
                    assert_eq!(ab[j], if j == k { b[j] } else { a[j] });
                    assert_eq!(ba[j], if j == k { a[j] } else { b[j] });
                }
            }
        }
    }

    #[test]
    fn morris_moves_one_coordinate_by_delta_per_row() {
        let (levels, d) = (4, 5);
        let rows = morris(6, levels, d, 9);
        let delta = morris_delta(levels);
        for trajectory in rows.chunks(d + 1) {
            let mut moved = vec![false; d];
            for pair in trajectory.windows(2) {
                let changed: Vec<usize> = (0..d).filter(|&j| pair[0][j] != pair[1][j]).collect();
                assert_eq!(changed.len(), 1);
                let j = changed[0];
                assert!(((pair[1][j] - pair[0][j]).abs() - delta).abs() < 1e-12);
                assert!(!moved[j]);
                moved[j] = true;
            }
            for x in trajectory.iter().flatten() {
                let level = x * (levels as f64 - 1.0);
                assert!((level - level.round()).abs() < 1e-9 && (0.0..=1.0).contains(x));
            }
        }
    }
}
