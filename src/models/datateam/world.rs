//! The world every arm of a run shares: true effects, ideological favourites, decision windows,
//! politics draws, evaluation noise, initial-belief noise and report bias.
//!
//! Each source of randomness has its own stream, seeded by the run seed (master seed, replicate)
//! only, and the sequence of calls on each stream never depends on what an arm chose or on a lever:
//! drift draws a fixed number of normals a week; a window draws one politics uniform and, on the
//! evaluation stream, an evaluation normal, an informal-impression normal and a coverage uniform (in
//! that order); an election draws one favourite per problem. So replicate r of every option faces
//! the same world (common random numbers), and the counterfactual faces the real arm's world.

use rand::Rng as _;
use rand_distr::Exp1;

use super::Environment;
use crate::engine::normal::standard_normal;
use crate::engine::rng::{self, Rng};

const DRIFT: u64 = 0xD1;
const INITIAL: u64 = 0xD2;
const FAVOURITES: u64 = 0xD3;
const WINDOWS: u64 = 0xD4;
const POLITICS: u64 = 0xD5;
const EVALUATION: u64 = 0xD6;

/// Something that happened to one problem this week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A window was announced; it opens `notice` weeks later.
    Announced { problem: usize },
    /// A window was reached: a decision is due. `politics_draw` < politics means the favourite wins;
    /// `coverage_draw` < an arm's evaluation coverage means its decision is formally evaluated, with
    /// noise `eval_noise`; otherwise units judge it by an informal impression with noise
    /// `impression_noise` (both standard normal, scaled by the users).
    Window {
        problem: usize,
        politics_draw: f64,
        eval_noise: f64,
        impression_noise: f64,
        coverage_draw: f64,
    },
}

#[derive(Debug, Clone)]
pub struct World {
    pub problems: usize,
    pub options: usize,
    /// True effects, problem-major: `theta[p * options + k]`.
    pub theta: Vec<f64>,
    pub favourite: Vec<usize>,
    /// Standard-normal draws behind the initial beliefs' noise and the reports' bias (scaled by users).
    pub initial_noise: Vec<f64>,
    pub bias_draw: Vec<f64>,
    /// Standard-normal draws behind each option's KPI gap (what a dashboard measures minus the
    /// outcome; scaled by the `kpi_gap` constant, MODEL.md §9.3 (ii)).
    pub kpi_gap_draw: Vec<f64>,
    /// Week of the next announcement, or of the announced window.
    pub next_announcement: Vec<u32>,
    pub window_at: Vec<Option<u32>>,
    /// Windows reached so far on each problem.
    pub windows_reached: Vec<u32>,
    /// Week of the last window reached (0 before the first).
    pub last_window: Vec<u32>,
    /// The best option of each problem now (kept with `theta`, so every arm's welfare, regret and
    /// accuracy reads it instead of searching the effects again).
    pub best: Vec<usize>,
    pub events: Vec<Event>,
    drift: Rng,
    favourites: Rng,
    windows: Rng,
    politics: Rng,
    evaluation: Rng,
}

impl World {
    pub fn new(seed: u64, problems: usize, options: usize, env: &Environment) -> World {
        let mut initial = rng::stream(seed, INITIAL);
        let theta: Vec<f64> = (0..problems * options)
            .map(|_| standard_normal(&mut initial))
            .collect();
        let initial_noise = (0..problems * options)
            .map(|_| standard_normal(&mut initial))
            .collect();
        let bias_draw = (0..problems)
            .map(|_| standard_normal(&mut initial))
            .collect();
        // Drawn after the others, so every earlier draw of the stream is as it was.
        let kpi_gap_draw = (0..problems * options)
            .map(|_| standard_normal(&mut initial))
            .collect();
        let mut favourites = rng::stream(seed, FAVOURITES);
        let favourite = (0..problems)
            .map(|_| favourites.random_range(0..options))
            .collect();
        let mut windows = rng::stream(seed, WINDOWS);
        let gap = (env.decision_interval - env.decision_notice as f64).max(1.0);
        let next_announcement = (0..problems)
            .map(|_| {
                let e: f64 = windows.sample(Exp1);
                1 + (e * gap) as u32
            })
            .collect();
        let best = (0..problems)
            .map(|p| argmax(&theta[p * options..(p + 1) * options]))
            .collect();
        World {
            problems,
            options,
            best,
            theta,
            favourite,
            initial_noise,
            bias_draw,
            kpi_gap_draw,
            next_announcement,
            window_at: vec![None; problems],
            windows_reached: vec![0; problems],
            last_window: vec![0; problems],
            events: Vec::with_capacity(2 * problems),
            drift: rng::stream(seed, DRIFT),
            favourites,
            windows,
            politics: rng::stream(seed, POLITICS),
            evaluation: rng::stream(seed, EVALUATION),
        }
    }

    /// Advances the world to `week`: drift, elections, announcements and windows (into `events`).
    pub fn advance(&mut self, week: u32, env: &Environment) {
        let rho = (1.0 - env.turbulence * env.turbulence).max(0.0).sqrt();
        // Drift and each problem's best option in one pass (argmax's rule: ties to the lowest index).
        for (effects, best) in self
            .theta
            .chunks_exact_mut(self.options)
            .zip(self.best.iter_mut())
        {
            let (mut top, mut top_value) = (0, f64::NEG_INFINITY);
            for (o, theta) in effects.iter_mut().enumerate() {
                let xi: f64 = standard_normal(&mut self.drift);
                *theta = rho * *theta + env.turbulence * xi;
                if o == 0 || *theta > top_value {
                    top = o;
                    top_value = *theta;
                }
            }
            *best = top;
        }
        if env.election_interval > 0 && week.is_multiple_of(env.election_interval) {
            for favourite in &mut self.favourite {
                *favourite = self.favourites.random_range(0..self.options);
            }
        }
        self.events.clear();
        for problem in 0..self.problems {
            match self.window_at[problem] {
                None if week >= self.next_announcement[problem] => {
                    self.window_at[problem] = Some(week + env.decision_notice);
                    self.events.push(Event::Announced { problem });
                    // A zero-notice window opens the week it is announced.
                    if env.decision_notice == 0 {
                        self.reach_window(problem, week, env);
                    }
                }
                Some(at) if week >= at => self.reach_window(problem, week, env),
                _ => {}
            }
        }
    }

    fn reach_window(&mut self, problem: usize, week: u32, env: &Environment) {
        let politics_draw: f64 = self.politics.random();
        // Always all three, whatever the coverage: the stream's call sequence stays choice-independent.
        let eval_noise: f64 = standard_normal(&mut self.evaluation);
        let impression_noise: f64 = standard_normal(&mut self.evaluation);
        let coverage_draw: f64 = self.evaluation.random();
        self.events.push(Event::Window {
            problem,
            politics_draw,
            eval_noise,
            impression_noise,
            coverage_draw,
        });
        self.window_at[problem] = None;
        self.windows_reached[problem] += 1;
        self.last_window[problem] = week;
        let gap = (env.decision_interval - env.decision_notice as f64).max(1.0);
        let e: f64 = self.windows.sample(Exp1);
        self.next_announcement[problem] = week + 1 + (e * gap) as u32;
    }

    pub fn effects(&self, problem: usize) -> &[f64] {
        &self.theta[problem * self.options..(problem + 1) * self.options]
    }

    /// The index of the best option now (ties to the lowest index).
    pub fn best_option(&self, problem: usize) -> usize {
        self.best[problem]
    }
}

/// The index of the largest value, ties to the lowest index.
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, &v) in values.iter().enumerate().skip(1) {
        if v > values[best] {
            best = k;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment {
            turbulence: 0.05,
            politics: 0.2,
            adhoc_rate: 2.0,
            attention: 3.0,
            obs_noise: 0.5,
            status_quo_bias: 0.1,
            forgetting: 0.002,
            base_quit_rate: 0.12,
            hiring_delay: 12,
            decision_interval: 26.0,
            decision_notice: 12,
            eval_coverage: 0.25,
            dashboard_weight: 1.0,
            eval_lag: 26,
            election_interval: 156,
        }
    }

    #[test]
    fn effects_stay_standard_normal_under_drift() {
        let e = env();
        let mut w = World::new(3, 64, 4, &e);
        let (mut sum, mut sq, mut n) = (0.0, 0.0, 0.0);
        for week in 1..=520 {
            w.advance(week, &e);
            for &t in &w.theta {
                sum += t;
                sq += t * t;
                n += 1.0;
            }
        }
        let mean = sum / n;
        let var = sq / n - mean * mean;
        assert!(mean.abs() < 0.15, "mean {mean}");
        assert!((var - 1.0).abs() < 0.25, "var {var}");
    }

    #[test]
    fn windows_follow_announcements_after_the_notice() {
        let e = env();
        let mut w = World::new(5, 16, 4, &e);
        let mut announced = [None; 16];
        let mut windows = 0;
        for week in 1..=2600 {
            w.advance(week, &e);
            for ev in w.events.clone() {
                match ev {
                    Event::Announced { problem } => announced[problem] = Some(week),
                    Event::Window { problem, .. } => {
                        assert_eq!(announced[problem].unwrap() + 12, week);
                        windows += 1;
                    }
                }
            }
        }
        let mean_interval = 2600.0 * 16.0 / windows as f64;
        assert!((mean_interval - 26.0).abs() < 2.0, "{mean_interval}");
    }

    #[test]
    fn argmax_breaks_ties_low() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 0.0]), 1);
        assert_eq!(argmax(&[2.0]), 0);
    }
}
