//! `march1991`: March (1991), mutual learning between individuals and an organisational code.
//!
//! The rules are exactly those of `shared/MARCH1991.md` (March's text as corrected by Christensen 2015
//! and Workiewicz's recreation). The representation is data-parallel: a belief vector over at most 64
//! dimensions is two bit masks (non-zero, positive), scores are popcounts, and socialisation draws a
//! Bernoulli mask for up to 64 lanes at once (two individuals per word when there are at most 32
//! dimensions). Every probability is applied with 32-bit resolution ([`Prob32`]).

use rand::RngCore;

use crate::engine::params::{MetricSpec, ParamSpec, Params, StopRule, Value};
use crate::engine::rng::{self, Prob32, Rng, bernoulli, bernoulli_mask};
use crate::engine::{Model, RunSettings, Simulation, Step};

const SOURCE: &str = "March (1991), Organization Science 2(1):71-87; shared/MARCH1991.md";

/// A probability or share, from March's table of parameters.
const fn probability(default: f64, unit: &'static str, meaning: &'static str) -> ParamSpec {
    ParamSpec::real(default, 0.0, 1.0, unit, meaning).source(SOURCE)
}

crate::declare_params! {
    static PARAMS;
    /// March's parameters, as a run reads them.
    pub struct Inputs {
        dimensions: u32 = ParamSpec::int(30, 1, 64, "dimensions", "m: dimensions of reality, each +1 or -1")
            .source(SOURCE).labelled("Dimensions of reality"),
        individuals: usize = ParamSpec::int(50, 1, 100_000, "people", "n: members of the organisation")
            .source(SOURCE).labelled("Individuals"),
        socialisation: f64 = probability(0.5, "probability/period",
            "p1: chance a belief steps toward a non-zero code per period (the slow group's rate)")
            .lever().schedulable().labelled("Socialisation rate"),
        fast_share: f64 = probability(0.0, "share",
            "share of individuals who socialise at fast_socialisation (rounded to whole people)")
            .lever().labelled("Share of fast learners"),
        fast_socialisation: f64 = probability(0.9, "probability/period", "p1 of the fast group")
            .lever().schedulable().labelled("Fast learners' socialisation rate"),
        code_learning: f64 = probability(0.5, "probability",
            "p2: the code's rate of learning from the superior group")
            .lever().schedulable().labelled("Code learning rate"),
        turnover: f64 = probability(0.0, "probability/period",
            "p3: chance each individual is replaced by a newcomer with random beliefs")
            .lever().schedulable().labelled("Turnover"),
        turbulence: f64 = probability(0.0, "probability/period",
            "p4: chance each dimension of reality flips sign")
            .schedulable().labelled("Turbulence"),
    }
}

crate::declare_metrics! {
    static METRICS;
    /// What a run reports, each period.
    pub struct Metrics {
        code_knowledge = MetricSpec::new("score in [-1, 1]",
            "sum_j c_j r_j / m: the code's score (March's figures)").headline().labelled("Knowledge of the code").unit_meaning("from -1 (every dimension of reality believed wrong) to 1 (every dimension right); 0 when no view is held or as many are wrong as right"),
        code_match = MetricSpec::new("share", "share of dimensions where the code equals reality").labelled("Code matches reality").unit_meaning("a proportion of the dimensions of reality, from 0 to 1"),
        individual_knowledge = MetricSpec::new("score in [-1, 1]",
            "mean over individuals of sum_j b_ij r_j / m").headline().labelled("Individuals' knowledge").unit_meaning("from -1 (every dimension of reality believed wrong) to 1 (every dimension right); 0 when no view is held or as many are wrong as right; averaged over individuals"),
        individual_knowledge_slow = MetricSpec::new("score in [-1, 1]",
            "individual_knowledge of the slow group (NaN when empty)").labelled("Slow learners' knowledge").unit_meaning("from -1 (every dimension of reality believed wrong) to 1 (every dimension right); 0 when no view is held or as many are wrong as right; averaged over the slow group"),
        individual_knowledge_fast = MetricSpec::new("score in [-1, 1]",
            "individual_knowledge of the fast group (NaN when empty)").labelled("Fast learners' knowledge").unit_meaning("from -1 (every dimension of reality believed wrong) to 1 (every dimension right); 0 when no view is held or as many are wrong as right; averaged over the fast group"),
        periods = MetricSpec::new("periods", "periods run").labelled("Periods run").unit_meaning("a count of March's time steps"),
        equilibrium = MetricSpec::new("0 or 1", "1 once the equilibrium rule holds, else 0").labelled("Reached equilibrium").unit_meaning("1 for yes, 0 for no; a mean is the share of runs that reached it"),
    }
}

/// March's stopping rule.
pub const EQUILIBRIUM: StopRule = StopRule {
    name: "equilibrium",
    meaning: "stop when no individual could beat the code and all agree with it (only when turnover = turbulence = 0)",
};

static STOP_RULES: &[StopRule] = &[EQUILIBRIUM];

/// The model's declaration; runs are built by [`Model::build`].
pub struct March1991;

impl Model for March1991 {
    fn name(&self) -> &'static str {
        "march1991"
    }
    fn summary(&self) -> &'static str {
        "March (1991): mutual learning of individuals and an organisational code (exploration vs exploitation)"
    }
    fn notes(&self) -> &'static str {
        "Individuals with fast_share are the first round(fast_share * individuals) people. Every probability is \
         applied at 32-bit resolution (exact for multiples of 2^-32). Reference: shared/MARCH1991.md."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn metrics(&self) -> &'static [MetricSpec] {
        METRICS
    }
    fn stop_rules(&self) -> &'static [StopRule] {
        STOP_RULES
    }
    fn default_ticks(&self) -> u64 {
        5000
    }
    fn tick_unit(&self) -> &'static str {
        "period"
    }
    fn leaves_out(&self) -> (&'static str, &'static str) {
        (
            "March's abstract model: reality is a list of +1/-1 dimensions, people and the code hold beliefs about it and learn from each other; there are no costs, no hierarchy and no decisions beyond belief.",
            "March (1991), Organization Science 2(1):71-87, as implemented in src/models/march1991.rs",
        )
    }
    fn build(&self, params: &Params, seed: u64, settings: &RunSettings) -> Box<dyn Simulation> {
        Box::new(MarchRun::new(
            &Inputs::read(params),
            seed,
            settings.stop == Some(EQUILIBRIUM),
        ))
    }
}

/// One run's state. Beliefs of individual i are `(nonzero[i], positive[i])`; `positive` is a subset of
/// `nonzero`. Individuals `0..fast` are the fast group.
pub struct MarchRun {
    m: u32,
    dim_mask: u64,
    /// Whether two individuals share one 64-lane random word (m <= 32).
    paired: bool,
    fast: usize,
    nonzero: Vec<u64>,
    positive: Vec<u64>,
    reality: u64,
    code_nonzero: u64,
    code_positive: u64,
    p_slow: Prob32,
    p_fast: Prob32,
    /// `code_change[k]` = 1 - (1 - p2)^k: chance the code adopts a majority of size k.
    code_change: Vec<Prob32>,
    turnover: Prob32,
    turbulence: Prob32,
    /// Whether the scenario asked for the equilibrium rule; it applies only while nothing moves.
    stop_rule: bool,
    stop_at_equilibrium: bool,
    periods: u64,
    equilibrium: bool,
    rng: Rng,
    actions: Vec<u64>,
    performance: Vec<i32>,
}

impl MarchRun {
    pub fn new(inputs: &Inputs, seed: u64, stop_rule: bool) -> Self {
        let m = inputs.dimensions;
        let n = inputs.individuals;
        let dim_mask = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
        let mut rng = rng::stream(seed, 0);
        let reality = rng.next_u64() & dim_mask;
        let mut nonzero = vec![0; n];
        let mut positive = vec![0; n];
        for i in 0..n {
            (nonzero[i], positive[i]) = fresh_beliefs(&mut rng, dim_mask);
        }
        MarchRun {
            m,
            dim_mask,
            paired: m <= 32,
            fast: (inputs.fast_share * n as f64).round() as usize,
            nonzero,
            positive,
            reality,
            code_nonzero: 0,
            code_positive: 0,
            p_slow: Prob32::new(inputs.socialisation),
            p_fast: Prob32::new(inputs.fast_socialisation),
            code_change: code_change(inputs.code_learning, n),
            turnover: Prob32::new(inputs.turnover),
            turbulence: Prob32::new(inputs.turbulence),
            stop_rule,
            stop_at_equilibrium: stop_rule && inputs.turnover == 0.0 && inputs.turbulence == 0.0,
            periods: 0,
            equilibrium: false,
            rng,
            actions: vec![0; n],
            performance: vec![0; n],
        }
    }

    /// The rates a scheduled change may set (the population and reality's size are fixed).
    fn set_rates(&mut self, inputs: &Inputs) {
        self.p_slow = Prob32::new(inputs.socialisation);
        self.p_fast = Prob32::new(inputs.fast_socialisation);
        self.code_change = code_change(inputs.code_learning, self.n());
        self.turnover = Prob32::new(inputs.turnover);
        self.turbulence = Prob32::new(inputs.turbulence);
        self.stop_at_equilibrium =
            self.stop_rule && inputs.turnover == 0.0 && inputs.turbulence == 0.0;
    }

    fn n(&self) -> usize {
        self.nonzero.len()
    }

    /// Σ_j v_j r_j for a vector given as masks.
    fn score(&self, nonzero: u64, positive: u64) -> i32 {
        let wrong = (positive ^ self.reality) & nonzero;
        (nonzero.count_ones() as i32) - 2 * (wrong.count_ones() as i32)
    }

    pub fn code_score(&self) -> i32 {
        self.score(self.code_nonzero, self.code_positive)
    }

    fn rate(&self, i: usize) -> Prob32 {
        if i < self.fast {
            self.p_fast
        } else {
            self.p_slow
        }
    }

    /// The individuals that share one random word: `(i, None)` alone, or `(i, Some(i + 1))` when two
    /// fit in one word and use the same rate.
    fn groups(&self) -> impl Iterator<Item = (usize, Option<usize>)> + use<> {
        let (n, paired, fast) = (self.n(), self.paired, self.fast);
        let mut i = 0;
        std::iter::from_fn(move || {
            if i >= n {
                return None;
            }
            let same_group = (i < fast) == (i + 1 < fast);
            let group = if paired && i + 1 < n && same_group {
                (i, Some(i + 1))
            } else {
                (i, None)
            };
            i += if group.1.is_some() { 2 } else { 1 };
            Some(group)
        })
    }

    fn turnover_step(&mut self) {
        if self.turnover.as_f64() == 0.0 {
            return;
        }
        let n = self.n();
        for block in (0..n).step_by(64) {
            let lanes = if n - block >= 64 {
                u64::MAX
            } else {
                (1u64 << (n - block)) - 1
            };
            let mut leavers = bernoulli_mask(&mut self.rng, self.turnover, lanes);
            while leavers != 0 {
                let i = block + leavers.trailing_zeros() as usize;
                leavers &= leavers - 1;
                (self.nonzero[i], self.positive[i]) = fresh_beliefs(&mut self.rng, self.dim_mask);
            }
        }
    }

    /// Realised actions (a belief, or a fair coin where the belief is 0) and their performance.
    fn act(&mut self) {
        let m = self.m as i32;
        for (a, b) in self.groups() {
            let coins = self.rng.next_u64();
            for (i, bits) in std::iter::once((a, coins)).chain(b.map(|b| (b, coins >> 32))) {
                let action = (self.positive[i] | (bits & !self.nonzero[i])) & self.dim_mask;
                self.actions[i] = action;
                self.performance[i] =
                    m - 2 * ((action ^ self.reality) & self.dim_mask).count_ones() as i32;
            }
        }
    }

    /// Dimensions where individual i's belief differs from the (non-zero) code.
    fn disagreement(&self, i: usize) -> u64 {
        let agrees = self.nonzero[i] & !(self.positive[i] ^ self.code_positive);
        self.code_nonzero & !agrees
    }

    /// Moves belief i one step toward the code on the dimensions in `moving`.
    fn step_toward_code(&mut self, i: usize, moving: u64) {
        let was_zero = moving & !self.nonzero[i];
        self.nonzero[i] ^= moving;
        self.positive[i] = (self.positive[i] & !moving) | (was_zero & self.code_positive);
    }

    /// Beliefs that differ from a non-zero code move one step toward it with probability p1_i.
    fn socialise(&mut self) {
        if self.code_nonzero == 0 {
            return;
        }
        for (a, b) in self.groups() {
            let p = self.rate(a);
            match b {
                Some(b) => {
                    let lanes = self.disagreement(a) | (self.disagreement(b) << 32);
                    // A draw where nobody can move would change nothing, so it is skipped.
                    if lanes != 0 {
                        let moving = bernoulli_mask(&mut self.rng, p, lanes);
                        self.step_toward_code(a, moving & self.dim_mask);
                        self.step_toward_code(b, moving >> 32);
                    }
                }
                None => {
                    let lanes = self.disagreement(a);
                    if lanes != 0 {
                        let moving = bernoulli_mask(&mut self.rng, p, lanes);
                        self.step_toward_code(a, moving);
                    }
                }
            }
        }
    }

    /// The code adopts the superior group's majority on each dimension with probability
    /// 1 - (1 - p2)^|s_j|. The superior group is judged against the code's score before this update.
    fn learn_code(&mut self, code_score: i32) {
        // Per-dimension counts of +1 actions in the superior group, as a bit-sliced (vertical) counter.
        let mut planes = [0u64; 20];
        let mut superior = 0i32;
        for i in 0..self.n() {
            if self.performance[i] > code_score {
                superior += 1;
                let mut carry = self.actions[i];
                for plane in planes.iter_mut() {
                    let next = *plane & carry;
                    *plane ^= carry;
                    carry = next;
                    if carry == 0 {
                        break;
                    }
                }
            }
        }
        if superior == 0 {
            return;
        }
        for j in 0..self.m {
            let ones: i32 = planes
                .iter()
                .enumerate()
                .map(|(k, p)| (((p >> j) & 1) as i32) << k)
                .sum();
            let s = 2 * ones - superior;
            if s == 0 {
                continue;
            }
            let bit = 1u64 << j;
            let code_is_positive = self.code_positive & bit != 0;
            let code_is_nonzero = self.code_nonzero & bit != 0;
            if code_is_nonzero && code_is_positive == (s > 0) {
                continue;
            }
            if bernoulli(&mut self.rng, self.code_change[s.unsigned_abs() as usize]) {
                self.code_nonzero |= bit;
                if s > 0 {
                    self.code_positive |= bit;
                } else {
                    self.code_positive &= !bit;
                }
            }
        }
    }

    /// March's equilibrium: nobody could beat the code (judged by its pre-update score), and everyone
    /// agrees with the code wherever it is non-zero.
    fn at_equilibrium(&self, code_score: i32) -> bool {
        let m = self.m as i32;
        (0..self.n()).all(|i| {
            let wrong = ((self.positive[i] ^ self.reality) & self.nonzero[i]).count_ones() as i32;
            m - 2 * wrong <= code_score && self.disagreement(i) == 0
        })
    }

    fn mean_knowledge(&self, range: std::ops::Range<usize>) -> f64 {
        if range.is_empty() {
            return f64::NAN;
        }
        let len = range.len() as f64;
        let total: i64 = range
            .map(|i| self.score(self.nonzero[i], self.positive[i]) as i64)
            .sum();
        total as f64 / (len * self.m as f64)
    }
}

impl Simulation for MarchRun {
    fn step(&mut self) -> Step {
        self.turnover_step();
        if self.turbulence.as_f64() > 0.0 {
            self.reality ^= bernoulli_mask(&mut self.rng, self.turbulence, self.dim_mask);
        }
        self.act();
        let code_score = self.code_score();
        self.socialise();
        self.learn_code(code_score);
        self.periods += 1;
        if self.stop_at_equilibrium && self.at_equilibrium(code_score) {
            self.equilibrium = true;
            return Step::Stop;
        }
        Step::Continue
    }

    fn reconfigure(&mut self, _tick: u64, params: &Params, _changed: &[(&'static str, Value)]) {
        self.set_rates(&Inputs::read(params));
    }

    fn observe(&self, out: &mut [f64]) {
        self.metrics().write(out);
    }
}

impl MarchRun {
    /// The metrics now.
    pub fn metrics(&self) -> Metrics {
        let m = self.m as f64;
        let matching = self.code_nonzero & !(self.code_positive ^ self.reality);
        Metrics {
            code_knowledge: self.code_score() as f64 / m,
            code_match: matching.count_ones() as f64 / m,
            individual_knowledge: self.mean_knowledge(0..self.n()),
            individual_knowledge_slow: self.mean_knowledge(self.fast..self.n()),
            individual_knowledge_fast: self.mean_knowledge(0..self.fast),
            periods: self.periods as f64,
            equilibrium: if self.equilibrium { 1.0 } else { 0.0 },
        }
    }
}

/// `code_change[k]` = 1 - (1 - p2)^k for majorities k = 0..=n.
fn code_change(p2: f64, n: usize) -> Vec<Prob32> {
    (0..=n)
        .map(|k| Prob32::new(1.0 - (1.0 - p2).powi(k as i32)))
        .collect()
}

/// A newcomer's beliefs: each dimension uniform over {-1, 0, +1}, drawn lane-wise from two random bits
/// per lane with the fourth combination rejected and redrawn.
fn fresh_beliefs(rng: &mut Rng, dim_mask: u64) -> (u64, u64) {
    let (mut nonzero, mut positive) = (0, 0);
    let mut pending = dim_mask;
    while pending != 0 {
        let (a, b) = (rng.next_u64(), rng.next_u64());
        let accepted = pending & !(a & b);
        nonzero |= accepted & !b;
        positive |= accepted & a & !b;
        pending &= a & b;
    }
    (nonzero, positive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(set: &[(&str, f64)]) -> MarchRun {
        let mut params = Params::defaults(PARAMS);
        for (name, value) in set {
            params.set(name, Value::Num(*value));
        }
        MarchRun::new(&Inputs::read(&params), 7, true)
    }

    /// Writes a belief vector given as -1/0/+1 values into masks.
    fn masks(values: &[i8]) -> (u64, u64) {
        let mut nz = 0;
        let mut pos = 0;
        for (j, v) in values.iter().enumerate() {
            if *v != 0 {
                nz |= 1 << j;
            }
            if *v > 0 {
                pos |= 1 << j;
            }
        }
        (nz, pos)
    }

    #[test]
    fn socialisation_moves_one_step_toward_the_code() {
        // dims: code = [+1, +1, +1, 0]; belief = [-1, 0, +1, -1]
        let mut run = run_with(&[
            ("dimensions", 4.0),
            ("individuals", 1.0),
            ("socialisation", 1.0),
        ]);
        (run.code_nonzero, run.code_positive) = masks(&[1, 1, 1, 0]);
        (run.nonzero[0], run.positive[0]) = masks(&[-1, 0, 1, -1]);
        run.socialise();
        // -1 steps to 0 (not to +1), 0 steps to +1, agreement stays, and a zero code moves nothing.
        assert_eq!((run.nonzero[0], run.positive[0]), masks(&[0, 1, 1, -1]));
        run.socialise();
        assert_eq!((run.nonzero[0], run.positive[0]), masks(&[1, 1, 1, -1]));
    }

    #[test]
    fn socialisation_rate_zero_never_moves() {
        let mut run = run_with(&[
            ("dimensions", 4.0),
            ("individuals", 3.0),
            ("socialisation", 0.0),
        ]);
        (run.code_nonzero, run.code_positive) = masks(&[1, -1, 1, -1]);
        let before = (run.nonzero.clone(), run.positive.clone());
        for _ in 0..100 {
            run.socialise();
        }
        assert_eq!((run.nonzero.clone(), run.positive.clone()), before);
    }

    #[test]
    fn only_the_superior_group_teaches_the_code() {
        // Reality all +1. The code scores 0. Individual 0 performs 2 (> 0) with actions [+1,+1,-1,+1];
        // individual 1 performs -4 (not superior) with actions all -1. With p2 = 1 the code adopts
        // individual 0's actions exactly.
        let mut run = run_with(&[
            ("dimensions", 4.0),
            ("individuals", 2.0),
            ("code_learning", 1.0),
        ]);
        run.reality = 0b1111;
        (run.code_nonzero, run.code_positive) = (0, 0);
        run.actions = vec![0b1011, 0b0000];
        run.performance = vec![2, -4];
        run.learn_code(0);
        assert_eq!((run.code_nonzero, run.code_positive), masks(&[1, 1, -1, 1]));
    }

    #[test]
    fn nobody_superior_leaves_the_code_alone() {
        let mut run = run_with(&[
            ("dimensions", 4.0),
            ("individuals", 2.0),
            ("code_learning", 1.0),
        ]);
        (run.code_nonzero, run.code_positive) = masks(&[1, 0, -1, 0]);
        run.actions = vec![0b1111, 0b1111];
        run.performance = vec![0, 1];
        run.learn_code(1);
        assert_eq!((run.code_nonzero, run.code_positive), masks(&[1, 0, -1, 0]));
    }

    /// A majority of k changes a code dimension with probability 1 - (1 - p2)^k.
    #[test]
    fn code_update_probability_follows_the_majority_size() {
        let p2 = 0.3;
        for (k, trials) in [(1usize, 20_000), (3, 20_000)] {
            let mut changed = 0;
            let mut run = run_with(&[
                ("dimensions", 1.0),
                ("individuals", k as f64),
                ("code_learning", p2),
            ]);
            run.actions = vec![1; k];
            run.performance = vec![1; k];
            for _ in 0..trials {
                (run.code_nonzero, run.code_positive) = (1, 0); // code -1, majority +1
                run.learn_code(0);
                changed += run.code_positive as usize;
            }
            let expected = 1.0 - (1.0 - p2).powi(k as i32);
            let freq = changed as f64 / trials as f64;
            let se = (expected * (1.0 - expected) / trials as f64).sqrt();
            assert!(
                (freq - expected).abs() < 5.0 * se,
                "k={k}: {freq} vs {expected}"
            );
        }
    }

    #[test]
    fn equilibrium_needs_agreement_and_no_possible_improvement() {
        let mut run = run_with(&[("dimensions", 3.0), ("individuals", 1.0)]);
        run.reality = 0b111;
        (run.code_nonzero, run.code_positive) = masks(&[1, 1, 0]);
        let score = run.code_score();
        assert_eq!(score, 2);
        // Belief [+1, +1, 0]: agrees where the code is non-zero, but its zero could still score 1 more
        // than the code (2 + 1 > 2): not an equilibrium.
        (run.nonzero[0], run.positive[0]) = masks(&[1, 1, 0]);
        assert!(!run.at_equilibrium(score));
        // Belief [+1, +1, -1]: best possible 1 <= 2 and agrees: equilibrium.
        (run.nonzero[0], run.positive[0]) = masks(&[1, 1, -1]);
        assert!(run.at_equilibrium(score));
        // Disagreeing with a non-zero code dimension is never an equilibrium.
        (run.nonzero[0], run.positive[0]) = masks(&[-1, 1, -1]);
        assert!(!run.at_equilibrium(score));
    }

    #[test]
    fn fresh_beliefs_are_uniform_over_three_values() {
        let mut rng = rng::stream(5, 0);
        let mut counts = [0u32; 3];
        let draws = 2_000;
        for _ in 0..draws {
            let (nz, pos) = fresh_beliefs(&mut rng, u64::MAX);
            counts[0] += (nz & !pos).count_ones();
            counts[1] += (!nz).count_ones();
            counts[2] += pos.count_ones();
            assert_eq!(pos & !nz, 0, "positive bits lie within non-zero bits");
        }
        let total = (draws * 64) as f64;
        for c in counts {
            let share = c as f64 / total;
            assert!((share - 1.0 / 3.0).abs() < 0.005, "share {share}");
        }
    }

    #[test]
    fn performance_counts_matching_actions() {
        let mut run = run_with(&[("dimensions", 4.0), ("individuals", 1.0)]);
        run.reality = 0b0011;
        (run.nonzero[0], run.positive[0]) = masks(&[1, 1, -1, 1]); // no zeros, so no coin flips
        run.act();
        // actions [+1,+1,-1,+1] vs reality [+1,+1,-1,-1]: 3 right, 1 wrong
        assert_eq!(run.performance[0], 2);
        assert_eq!(run.actions[0], 0b1011);
    }

    #[test]
    fn turnover_and_turbulence_disable_the_stopping_rule() {
        assert!(run_with(&[]).stop_at_equilibrium);
        assert!(!run_with(&[("turnover", 0.1)]).stop_at_equilibrium);
        assert!(!run_with(&[("turbulence", 0.02)]).stop_at_equilibrium);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Over the whole parameter space, beliefs and the code stay well-formed and every metric stays
        /// in its range, period after period.
        #[test]
        fn state_and_metrics_stay_well_formed(
            m in 1u32..=64, n in 1usize..=70, p1 in 0.0f64..=1.0, p1_fast in 0.0f64..=1.0,
            fast_share in 0.0f64..=1.0, p2 in 0.0f64..=1.0, p3 in 0.0f64..=0.3, p4 in 0.0f64..=0.3,
            seed in proptest::prelude::any::<u64>(),
        ) {
            let mut run = run_with(&[
                ("dimensions", m as f64), ("individuals", n as f64), ("socialisation", p1),
                ("fast_socialisation", p1_fast), ("fast_share", fast_share), ("code_learning", p2),
                ("turnover", p3), ("turbulence", p4),
            ]);
            run.rng = rng::stream(seed, 0);
            for period in 1..=40u64 {
                let stopped = run.step() == Step::Stop;
                let out = run.metrics();
                proptest::prop_assert!(run.code_positive & !run.code_nonzero == 0);
                proptest::prop_assert!(run.code_nonzero & !run.dim_mask == 0 && run.reality & !run.dim_mask == 0);
                for i in 0..n {
                    proptest::prop_assert!(run.positive[i] & !run.nonzero[i] == 0);
                    proptest::prop_assert!(run.nonzero[i] & !run.dim_mask == 0);
                }
                for k in [out.code_knowledge, out.individual_knowledge] {
                    proptest::prop_assert!((-1.0..=1.0).contains(&k), "{out:?}");
                }
                proptest::prop_assert!((0.0..=1.0).contains(&out.code_match));
                proptest::prop_assert_eq!(out.periods, period as f64);
                if stopped {
                    proptest::prop_assert!(p3 == 0.0 && p4 == 0.0 && out.equilibrium == 1.0);
                    break;
                }
            }
        }
    }
}
