//! The policy units' side of an arm: beliefs about every option, the decision rule, policies in
//! force, evaluation of past decisions, and the welfare they earn.
//!
//! Beliefs are Gaussian, held as their mean μ and variance 1/τ: the weekly prediction step leaves
//! μ as it is and moves 1/τ by one addition and one multiplication, with no division (evidence,
//! much rarer, pays the divisions). An arm that receives no products performs exactly the same
//! arithmetic as the counterfactual, which is what makes `value_added` exactly zero without a
//! team. The counterfactual arm and the real one share [`choose`], the one decision rule.

use std::collections::VecDeque;

use super::Environment;
use super::world::World;

/// Beliefs with precision below this are clamped (a unit never becomes certain of ignorance).
pub const MIN_PRECISION: f64 = 1e-9;

/// How a decision's outcome will become known, `due` weeks on: formally evaluated (an observation
/// that updates the units' beliefs, with the world's noise draw `noise`), or only as an informal
/// impression (`impression`, a standard-normal draw the team scales), which updates no belief.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub due: u32,
    pub formal: bool,
    pub noise: f64,
    pub impression: f64,
}

/// A decision whose outcome will become known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingEvaluation {
    pub due: u32,
    pub problem: usize,
    pub option: usize,
    pub formal: bool,
    pub noise: f64,
    pub impression: f64,
    /// The team's advice on the chosen option: the precision-weighted estimate of the products read
    /// on the problem since the last window, and its stated variance. The outcome judges it
    /// (competence trust). `None` when the window was not advised.
    pub informed_by: Option<(f64, f64)>,
}

/// One arm's units: beliefs, policies and their record.
#[derive(Debug, Clone)]
pub struct Units {
    pub options: usize,
    /// Per option, the belief's variance 1/τ (τ its precision, never below `MIN_PRECISION`).
    variance: Vec<f64>,
    /// Per option, the belief's mean μ.
    means: Vec<f64>,
    pub policy: Vec<usize>,
    pub pending: VecDeque<PendingEvaluation>,
    /// Σ over weeks of the mean true effect of the policies in force.
    pub welfare: f64,
    /// Per problem, Σ over weeks of the true effect of its policy in force: the per-unit output's
    /// welfare. Kept beside `welfare`, not summed into it, so that `welfare` is computed as before.
    pub earned: Vec<f64>,
    pub regret: f64,
    pub decisions: u64,
    pub accurate_decisions: u64,
}

/// The decision rule: switch from the incumbent to the best-looking option only if it looks better by
/// more than the status-quo bias; ties to the lowest index.
pub fn choose(means: &[f64], incumbent: usize, status_quo_bias: f64) -> usize {
    let best = super::world::argmax(means);
    if means[best] - means[incumbent] > status_quo_bias {
        best
    } else {
        incumbent
    }
}

impl Units {
    /// Initial beliefs μ₀ = θ₀ + prior_noise·z and the initial policies (the rule applied to μ₀).
    pub fn new(world: &World, prior_noise: f64, env: &Environment) -> Units {
        let n = world.theta.len();
        let variance = vec![prior_noise * prior_noise; n];
        let means: Vec<f64> = (0..n)
            .map(|i| world.theta[i] + prior_noise * world.initial_noise[i])
            .collect();
        let options = world.options;
        let policy = (0..world.problems)
            .map(|p| {
                let problem_means = &means[p * options..(p + 1) * options];
                // The initial policy is the rule applied from option 0 as the nominal incumbent.
                choose(problem_means, super::world::argmax(problem_means), env.status_quo_bias)
            })
            .collect();
        Units {
            options,
            variance,
            means,
            policy,
            pending: VecDeque::with_capacity(world.problems * 16),
            welfare: 0.0,
            earned: vec![0.0; world.problems],
            regret: 0.0,
            decisions: 0,
            accurate_decisions: 0,
        }
    }

    /// The weekly prediction step of a random walk plus forgetting: τ ← keep/(1/τ + w), that is
    /// 1/τ ← (1/τ + w)/keep, floored at `MIN_PRECISION`; the means stay.
    pub fn predict(&mut self, env: &Environment) {
        let walk = env.turbulence * env.turbulence;
        let per_keep = 1.0 / (1.0 - env.forgetting);
        let most = 1.0 / MIN_PRECISION;
        for v in &mut self.variance {
            *v = ((*v + walk) * per_keep).min(most);
        }
    }

    pub fn mean(&self, index: usize) -> f64 {
        self.means[index]
    }

    /// The belief's precision τ.
    pub fn precision(&self, index: usize) -> f64 {
        1.0 / self.variance[index]
    }

    /// Writes the problem's belief means into `out`.
    pub fn means_into(&self, problem: usize, out: &mut [f64]) {
        let base = problem * self.options;
        let k = self.options.min(out.len());
        out[..k].copy_from_slice(&self.means[base..base + k]);
    }

    /// Adds evidence `x` with precision `weight` about one option: precisions add and the mean
    /// moves to the precision-weighted average. Returns the precision before and the variance
    /// after, for running sums kept relative to the precision (`Ledger::add_evidence`).
    #[inline]
    pub fn believe(&mut self, index: usize, x: f64, weight: f64) -> (f64, f64) {
        let before = 1.0 / self.variance[index];
        if weight == 0.0 {
            return (before, self.variance[index]);
        }
        let after = 1.0 / (before + weight);
        let mean = &mut self.means[index];
        *mean = (*mean * before + weight * x) * after;
        self.variance[index] = after;
        (before, after)
    }

    /// Sets one option's belief from its natural parameters (τ, η = τμ), for tests that set up a
    /// decision by hand.
    #[cfg(test)]
    pub fn set_belief(&mut self, index: usize, precision: f64, eta: f64) {
        self.variance[index] = 1.0 / precision;
        self.means[index] = eta / precision;
    }

    /// Records a decision and schedules its evaluation (formal or informal).
    pub fn enact(
        &mut self,
        world: &World,
        problem: usize,
        option: usize,
        evaluation: Evaluation,
        informed_by: Option<(f64, f64)>,
    ) {
        self.decisions += 1;
        if option == world.best_option(problem) {
            self.accurate_decisions += 1;
        }
        self.policy[problem] = option;
        self.pending.push_back(PendingEvaluation {
            due: evaluation.due,
            problem,
            option,
            formal: evaluation.formal,
            noise: evaluation.noise,
            impression: evaluation.impression,
            informed_by,
        });
    }

    /// Pops the evaluations due by `week` (the queue is in due order because the lag is one per arm
    /// between changes; a shortened lag after a change is handled by scanning the front only).
    pub fn next_due(&mut self, week: u32) -> Option<PendingEvaluation> {
        if self.pending.front().is_some_and(|e| e.due <= week) {
            self.pending.pop_front()
        } else {
            None
        }
    }

    /// Observes a formally evaluated outcome y = θ + obs_noise·z of the chosen option and updates
    /// beliefs; returns y, and the option's index, precision before and variance after (what
    /// `believe` returns).
    pub fn observe_outcome(
        &mut self,
        world: &World,
        e: &PendingEvaluation,
        obs_noise: f64,
    ) -> (f64, usize, (f64, f64)) {
        let index = e.problem * self.options + e.option;
        let y = world.theta[index] + obs_noise * e.noise;
        let believed = self.believe(index, y, 1.0 / (obs_noise * obs_noise));
        (y, index, believed)
    }

    /// Adds this week's welfare and regret.
    pub fn earn(&mut self, world: &World) {
        let (mut welfare, mut regret) = (0.0, 0.0);
        for (p, (&k, earned)) in self.policy.iter().zip(&mut self.earned).enumerate() {
            let effects = world.effects(p);
            welfare += effects[k];
            *earned += effects[k];
            regret += effects[world.best_option(p)] - effects[k];
        }
        let n = self.policy.len() as f64;
        self.welfare += welfare / n;
        self.regret += regret / n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_keeps_incumbent_within_the_bias() {
        assert_eq!(choose(&[0.0, 0.05, -1.0], 0, 0.1), 0);
        assert_eq!(choose(&[0.0, 0.2, -1.0], 0, 0.1), 1);
        assert_eq!(choose(&[0.3, 0.3, 0.0], 2, 0.1), 0);
    }

    /// Units holding one problem with one option, with belief (precision, eta).
    fn one_option(precision: f64, eta: f64) -> Units {
        Units {
            options: 1,
            variance: vec![1.0 / precision],
            means: vec![eta / precision],
            policy: vec![0],
            pending: VecDeque::new(),
            welfare: 0.0,
            earned: vec![0.0],
            regret: 0.0,
            decisions: 0,
            accurate_decisions: 0,
        }
    }

    /// The natural-parameter update is the conjugate normal update: the posterior mean is the
    /// precision-weighted average and precisions add.
    #[test]
    fn bayesian_update_is_precision_weighted() {
        let mut u = one_option(1.0, 0.0);
        // Prior N(0, 1); observation 2 with SD 0.5 (precision 4): posterior mean 8/5, precision 5.
        u.believe(0, 2.0, 4.0);
        assert!((u.mean(0) - 1.6).abs() < 1e-12);
        assert!((u.precision(0) - 5.0).abs() < 1e-12);
        // Adding zero precision changes nothing, exactly.
        let (mean, tau) = (u.mean(0), u.precision(0));
        u.believe(0, 123.0, 0.0);
        assert_eq!((u.mean(0), u.precision(0)), (mean, tau));
    }

    /// The per-problem sums behind the per-unit output average back to the overall welfare, whose
    /// own arithmetic is the one it had before they existed.
    #[test]
    fn per_problem_welfare_averages_to_the_overall_welfare() {
        let params = crate::engine::params::Params::defaults(super::super::PARAMS);
        let env = super::super::read_environment(&params);
        let problems = 6;
        let mut world = World::new(5, problems, 3, &env);
        let mut units = Units::new(&world, 1.0, &env);
        let mut expected = 0.0;
        for week in 1..=30 {
            world.advance(week, &env);
            units.earn(&world);
            let mut sum = 0.0;
            for p in 0..problems {
                sum += world.effects(p)[units.policy[p]];
            }
            expected += sum / problems as f64;
        }
        assert_eq!(units.welfare, expected);
        let mean = units.earned.iter().sum::<f64>() / problems as f64;
        assert!((mean - units.welfare).abs() <= 1e-12 * (1.0 + units.welfare.abs()));
    }

    #[test]
    fn prediction_step_widens_beliefs_and_keeps_the_mean() {
        let mut u = one_option(4.0, 2.0);
        let env = Environment {
            turbulence: 0.1,
            politics: 0.0,
            adhoc_rate: 0.0,
            attention: 0.0,
            obs_noise: 1.0,
            status_quo_bias: 0.0,
            forgetting: 0.01,
            base_quit_rate: 0.0,
            hiring_delay: 0,
            decision_interval: 26.0,
            decision_notice: 12,
            eval_coverage: 0.25,
            dashboard_weight: 1.0,
            eval_lag: 26,
            election_interval: 0,
        };
        u.predict(&env);
        let expected = 0.99 / (0.25 + 0.01);
        assert!((u.precision(0) - expected).abs() < 1e-12);
        assert!((u.mean(0) - 0.5).abs() < 1e-12);
        // A belief left alone long enough stops at the floor, and keeps its mean.
        let gone = Environment {
            forgetting: 0.9,
            ..env
        };
        for _ in 0..40 {
            u.predict(&gone);
        }
        assert_eq!(u.precision(0), MIN_PRECISION);
        assert!((u.mean(0) - 0.5).abs() < 1e-12);
    }
}
