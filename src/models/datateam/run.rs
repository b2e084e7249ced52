//! One run: the organisation and the counterfactual with no data team, stepped in lockstep over one
//! [`World`].
//!
//! The counterfactual reads only the world and the environment, so `value_added` is exact: with no
//! analysts the organisation's arithmetic is the counterfactual's, operation for operation.
//! A change's J-curve is measured on the ensemble by the analysis (option − baseline, paired by
//! replicate), not here: a per-run gap to a "stay put" copy was a random walk whose minimum was noise.

use super::Constants;
use super::team::{Team, Window};
use super::units::{Evaluation, Units, choose};
use super::world::{Event, World};
use super::{
    Environment, Inputs, Knockouts, Mechanism, Metrics, Prices, Setup, Switches, UnitMetrics,
};
use crate::engine::params::{Params, Value};
use crate::engine::{RunSettings, Simulation, Step};

/// An organisation: its units' beliefs and its team.
#[derive(Debug, Clone)]
pub struct Org {
    pub units: Units,
    pub team: Team,
}

impl Org {
    /// Outcome evaluation is faster with a team whose data access is better than middling.
    fn eval_lag(&self, env: &Environment) -> u32 {
        if !self.team.exists() {
            return env.eval_lag;
        }
        let factor = (1.25 - 0.5 * self.team.levers.data_access).min(1.0);
        ((env.eval_lag as f64 * factor).round() as u32).max(1)
    }

    /// The share of decisions formally evaluated: a team lifts the environment's coverage c to
    /// c + (1 − c)·lift·data_access, only where it exists (so without one this is the
    /// counterfactual's c, exactly).
    fn eval_coverage(&self, env: &Environment, off: Knockouts) -> f64 {
        let c = counterfactual_coverage(env, off);
        if !self.team.exists() {
            return c;
        }
        c + (1.0 - c) * self.team.c.team_eval_lift * self.team.levers.data_access
    }
}

/// The share of decisions formally evaluated without a team: `eval_coverage`, or every decision when
/// sparse evaluation is knocked out (in both arms).
fn counterfactual_coverage(env: &Environment, off: Knockouts) -> f64 {
    if off.contains(Mechanism::SparseEvaluation) {
        1.0
    } else {
        env.eval_coverage
    }
}

pub struct DataTeamRun {
    pub week: u32,
    pub env: Environment,
    /// As at the start of the run: a schedule may change the posts and the budget since (the
    /// team holds its posts; the budget in force is `budget`).
    pub setup: Setup,
    pub world: World,
    pub counterfactual: Units,
    pub org: Org,
    /// Mechanisms switched off in this run (knock-out experiments).
    pub off: Knockouts,
    /// The prices of every lever (not schedulable: fixed for the run).
    prices: Prices,
    /// The yearly cost of the infrastructure in force (recomputed at a change of levers).
    infrastructure: f64,
    /// Spend so far, recruitment aside (it follows the team's count of hires: `cost`).
    spent: f64,
}

impl DataTeamRun {
    pub fn new(params: &Params, seed: u64, _settings: &RunSettings, c: Constants) -> DataTeamRun {
        let (inputs, prices) = (Inputs::read(params), Prices::read(params));
        let (env, setup) = (inputs.environment(), inputs.setup(&prices));
        let levers = inputs.levers(&prices);
        let off = Switches::read(params).knockout;
        let c = c.knocked_out(off);
        let problems = setup.units * setup.problems_per_unit;
        let world = World::new(seed, problems, setup.options, &env);
        let counterfactual = Units::new(&world, setup.prior_noise, &env);
        let mut org = Org {
            units: counterfactual.clone(),
            team: Team::new(seed, &setup, levers, c),
        };
        org.team.off = off;
        let infrastructure = prices.infrastructure(
            org.team.levers.data_quality,
            org.team.levers.data_access,
        );
        DataTeamRun {
            week: 0,
            env,
            setup,
            world,
            counterfactual,
            org,
            off,
            prices,
            infrastructure,
            spent: 0.0,
        }
    }

    /// A scheduled change at the start of `week`, before it is stepped: the environment, the levers
    /// and the posts in force after it.
    fn apply_change(&mut self, week: u32, inputs: &Inputs) {
        self.env = inputs.environment();
        let levers = inputs.levers(&self.prices);
        // Headcount (`analysts`, `translators`, or the posts a budget buys) is a lever too: new
        // posts are vacancies filled after the hiring delay in force (`Team::set_posts`).
        let setup = inputs.setup(&self.prices);
        self.spent += self.change_cost(&levers, setup.posts, setup.translators);
        self.infrastructure = self
            .prices
            .infrastructure(levers.data_quality, levers.data_access);
        self.org.team.set_levers(levers);
        self.org
            .team
            .set_posts(setup.posts, setup.translators, week + self.env.hiring_delay);
    }

    /// The one-off cost of a scheduled change to `levers` and `posts` posts of which `translators`
    /// are translators (MODEL.md §9.5): severance of half a salary for each filled post cut, and,
    /// if any lever or post changes, a change programme of a base cost plus a cost per analyst in
    /// post whose structure or role changes. (Homes never change: post i's is unit i mod units.)
    fn change_cost(&self, levers: &super::Levers, posts: usize, translators: usize) -> f64 {
        let (team, p) = (&self.org.team, &self.prices);
        let restructured = levers.structure != team.levers.structure;
        let (mut moved, mut severance) = (0.0, 0.0);
        for (i, a) in team.analysts.iter().enumerate().filter(|(_, a)| a.in_post) {
            if i >= posts {
                let salary = if a.translator {
                    p.translator_salary()
                } else {
                    p.salary(a.pay_tech)
                };
                severance += p.severance_share * salary;
            } else if restructured || a.translator != (i < translators) {
                moved += 1.0;
            }
        }
        let roles_change = team
            .analysts
            .iter()
            .enumerate()
            .any(|(i, a)| a.translator != (i < translators));
        let programme = *levers != team.levers || posts != team.analysts.len() || roles_change;
        let programme_cost = if programme {
            p.programme_base + p.programme_per_move * moved
        } else {
            0.0
        };
        severance + programme_cost
    }

    /// This week's running cost: posts in post at their pay (a translator's is fixed), the
    /// infrastructure in force, training fees for the week's learning time and the units' time for
    /// its engagement, each a 52nd of its yearly price.
    fn weekly_spend(&self) -> f64 {
        let p = &self.prices;
        let (mut posts, mut learning, mut engaged) = (0.0, 0.0, 0.0);
        for a in self.org.team.analysts.iter().filter(|a| a.in_post) {
            if a.translator {
                posts += p.translator_cost;
            } else {
                posts += p.post_cost(a.pay_tech);
                engaged += a.time[3];
                learning += a.time[4];
            }
        }
        (posts
            + self.infrastructure
            + p.training_fee * learning
            + p.engagement_per_fte() * engaged)
            / 52.0
    }

    /// Cumulative spend to the end of this week: running costs, one-off changes and recruitment.
    fn cost(&self) -> f64 {
        self.spent + self.prices.recruitment_cost * self.org.team.counters.hires
    }

    fn step_org(org: &mut Org, world: &World, env: &Environment, week: u32, off: Knockouts) {
        let Org { units, team } = org;
        units.predict(env);
        while let Some(e) = units.next_due(week) {
            // A formal evaluation is observed (beliefs update); otherwise the unit has only an
            // informal impression, at the same lag, which judges the advice but informs no belief.
            let (y, sd) = if e.formal {
                let (y, index, believed) = units.observe_outcome(world, &e, env.obs_noise);
                // The window's evidence is held as shares of the precision, which just grew.
                team.observe_precision(index, believed);
                (y, env.obs_noise)
            } else {
                let sd = team.c.informal_noise;
                let theta = world.theta[e.problem * world.options + e.option];
                (theta + sd * e.impression, sd)
            };
            if let Some(advice) = e.informed_by {
                team.judge(e.problem, advice, y, sd);
            }
        }
        let lag = org.eval_lag(env);
        let coverage = org.eval_coverage(env, off);
        let Org { units, team } = org;
        for event in &world.events {
            if let Event::Window {
                problem,
                politics_draw,
                eval_noise,
                impression_noise,
                coverage_draw,
            } = *event
            {
                let politics = politics_draw < env.politics;
                let window = Window {
                    problem,
                    politics_override: politics,
                    week,
                    evaluation: Evaluation {
                        due: week + lag,
                        formal: coverage_draw < coverage,
                        noise: eval_noise,
                        impression: impression_noise,
                    },
                };
                team.decide(world, units, env, window);
            }
        }
        team.week(world, units, env, week);
        units.earn(world);
    }

    fn step_counterfactual(&mut self) {
        let (cf, world, env, week) = (&mut self.counterfactual, &self.world, &self.env, self.week);
        cf.predict(env);
        while let Some(e) = cf.next_due(week) {
            if e.formal {
                cf.observe_outcome(world, &e, env.obs_noise);
            }
        }
        let coverage = counterfactual_coverage(env, self.off);
        let k = world.options;
        let mut means = [0.0; super::team::MAX_OPTIONS];
        for event in &world.events {
            if let Event::Window {
                problem,
                politics_draw,
                eval_noise,
                impression_noise,
                coverage_draw,
            } = *event
            {
                let chosen = if politics_draw < env.politics {
                    world.favourite[problem]
                } else {
                    for (o, mean) in means.iter_mut().enumerate().take(k) {
                        *mean = cf.mean(problem * k + o);
                    }
                    choose(&means[..k], cf.policy[problem], env.status_quo_bias)
                };
                let evaluation = Evaluation {
                    due: week + env.eval_lag,
                    formal: coverage_draw < coverage,
                    noise: eval_noise,
                    impression: impression_noise,
                };
                cf.enact(world, problem, chosen, evaluation, None);
            }
        }
        cf.earn(world);
    }

    fn mean_over_staff(&self, f: impl Fn(&super::analysts::Analyst) -> f64) -> f64 {
        let (mut sum, mut n) = (0.0, 0.0);
        for a in self.org.team.analysts.iter().filter(|a| a.analyses()) {
            sum += f(a);
            n += 1.0;
        }
        if n > 0.0 { sum / n } else { f64::NAN }
    }
}

/// The mean over units.
fn mean(per_unit: &[f64]) -> f64 {
    per_unit.iter().sum::<f64>() / per_unit.len() as f64
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

impl Simulation for DataTeamRun {
    fn step(&mut self) -> Step {
        self.week += 1;
        self.world.advance(self.week, &self.env);
        self.step_counterfactual();
        Self::step_org(&mut self.org, &self.world, &self.env, self.week, self.off);
        self.spent += self.weekly_spend();
        Step::Continue
    }

    fn reconfigure(&mut self, tick: u64, params: &Params, _changed: &[(&'static str, Value)]) {
        self.apply_change(tick as u32, &Inputs::read(params));
    }

    fn observe(&self, out: &mut [f64]) {
        self.metrics().write(out);
    }

    fn observe_units(&self, out: &mut [f64]) {
        for (unit, row) in out.chunks_exact_mut(UnitMetrics::COUNT).enumerate() {
            self.unit_metrics(unit).write(row);
        }
    }
}

impl DataTeamRun {
    /// Unit `unit`'s welfare, value added, trust and literacy. Welfare is read from the per-problem
    /// sums the arms keep beside their overall welfare, so observing it changes no other metric.
    pub fn unit_metrics(&self, unit: usize) -> UnitMetrics {
        let ppu = self.setup.problems_per_unit;
        let team = &self.org.team;
        let mean = |earned: &[f64]| earned.iter().sum::<f64>() / ppu as f64;
        let problems = unit * ppu..(unit + 1) * ppu;
        let welfare = mean(&self.org.units.earned[problems.clone()]);
        let counterfactual = mean(&self.counterfactual.earned[problems]);
        UnitMetrics {
            value_added: welfare - counterfactual,
            welfare,
            trust: team.trust[unit],
            literacy: team.literacy[unit],
        }
    }

    /// The run's metrics now.
    pub fn metrics(&self) -> Metrics {
        let team = &self.org.team;
        let units = &self.org.units;
        let counters = &team.counters;
        let value_added = units.welfare - self.counterfactual.welfare;
        let headcount = team.headcount() as f64;
        // Resolved products: read, or expired unread at their shelf life (reports as expected
        // counts, sums of reals: the clamps below are for rounding, not a modelling choice).
        let expired = counters.reports_expired + counters.insights_expired;
        let read = counters.reports_read + counters.insights_read;
        let cost = self.cost();
        Metrics {
            value_added,
            uptake_rate: ratio(counters.insights_used, counters.insights_delivered),
            evidence_informed_share: ratio(counters.informed_decisions, units.decisions as f64),
            trust: mean(&team.trust),
            trust_relational: mean(&team.relational),
            trust_competence: mean(&team.competence),
            tech: self.mean_over_staff(|a| a.tech),
            welfare: units.welfare,
            regret: units.regret,
            decision_accuracy: ratio(units.accurate_decisions as f64, units.decisions as f64),
            error_rate: ratio(counters.errors, counters.insights_delivered),
            counted_outputs: counters.counted_outputs,
            insights_delivered: counters.insights_delivered,
            insights_used: counters.insights_used,
            unread_share: ratio(expired, expired + read).clamp(0.0, 1.0),
            unread_reports: ratio(
                counters.reports_expired,
                counters.reports_expired + counters.reports_read,
            )
            .clamp(0.0, 1.0),
            unread_insights: ratio(
                counters.insights_expired,
                counters.insights_expired + counters.insights_read,
            ),
            attention_used: ratio(counters.attention_used, counters.reading_weeks),
            late_share: ratio(counters.late, counters.commissioned_finished),
            care: self.mean_over_staff(|a| a.care),
            literacy: team.literacy.iter().sum::<f64>() / team.literacy.len() as f64,
            domain: self.mean_over_staff(|a| a.domain[a.unit]),
            comm: self.mean_over_staff(|a| a.comm),
            motivation: self.mean_over_staff(|a| a.motivation),
            headcount,
            vacancies: team.analysts.len() as f64 - headcount,
            quits: counters.quits,
            time_adhoc: team.time_share[0],
            time_reports: team.time_share[1],
            time_insight: team.time_share[2],
            time_engagement: team.time_share[3],
            time_learning: team.time_share[4],
            cost,
            value_per_cost: ratio(value_added, cost),
        }
    }
}
