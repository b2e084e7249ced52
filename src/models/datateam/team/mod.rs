//! The data team and the units' trust and literacy in it: one week of demand → allocation →
//! production → transmission → feedback (MODEL.md §2, steps 2–6), plus the team's part in decisions
//! (which products informed a window and get credit) and in evaluation (competence trust from
//! outcomes and delivery, `trust.rs`).
//!
//! Allocation is a rational response to the incentive system: each analyst keeps reward estimates per
//! activity from what the appraisal regime actually paid them (counted outputs vs credited uses,
//! normalised by team means) and re-plans discretionary time by softmax every 4 weeks. No lever writes
//! a result: a KPI regime shifts time toward reports only because reports earn counts.
//!
//! This file holds the team's state and the order of a week; each phase is an `impl Team` block in
//! its own file (`demand`, `allocate`, `produce`, `transmit`, `feedback`, `decide`, `posts`), the
//! weekly working arrays are one [`Scratch`](scratch::Scratch) and what products leave behind between
//! windows is one [`Ledger`](ledger::Ledger).
//!
//! Speed: all buffers are allocated at build; reports are aggregated per unit (expected read and
//! understood counts, one normal draw per problem-week); no allocation happens in the weekly loop.

use rand::Rng as _;
use rand_distr::{Beta, Distribution};

use super::analysts::{Analyst, MODES};
use super::Constants;
use super::units::Units;
use super::world::World;
use super::{Environment, Knockouts, Levers, Setup};
use crate::engine::rng::{self, Rng};

mod allocate;
mod decide;
mod demand;
mod feedback;
mod inbox;
mod ledger;
mod posts;
mod produce;
mod scratch;
mod transmit;
mod trust;

pub use decide::Window;
use inbox::Inbox;
use ledger::Ledger;
use scratch::Scratch;

const SETUP: u64 = 0xE0;
const DEMAND: u64 = 0xE1;
const PRODUCTION: u64 = 0xE2;
const TRANSMISSION: u64 = 0xE3;
const PEOPLE: u64 = 0xE4;
const CREDIT: u64 = 0xE5;

/// Weeks between re-plans of the time split.
pub const PLAN_EVERY: u32 = 4;
/// Weeks after a decision that the leader credits a use.
pub const CREDIT_DELAY: usize = 13;
/// Insights kept per problem between windows (the oldest is dropped beyond this).
pub const PRODUCTS_PER_PROBLEM: usize = 8;
pub const MAX_OPTIONS: usize = 8;

/// Cumulative counts behind the ratio metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub counted_outputs: f64,
    pub insights_delivered: f64,
    pub insights_used: f64,
    pub reports_delivered: f64,
    /// Reading (§9.1): products read, and products that expired unread (reports as expected counts).
    pub reports_read: f64,
    pub reports_expired: f64,
    pub insights_read: f64,
    pub insights_expired: f64,
    /// Σ over unit-weeks of the share of the reading budget spent, and the unit-weeks counted.
    pub attention_used: f64,
    pub reading_weeks: f64,
    /// Commissions taken on by an analyst (not the ones no analyst could take: those are unmet).
    pub commissions: f64,
    /// Commissions not delivered by their window (dropped unstarted, or demoted in progress).
    pub windows_missed: f64,
    pub commissioned_finished: f64,
    pub late: f64,
    pub quits: f64,
    pub informed_decisions: f64,
    /// Insights delivered with an undetected material error (isolation, MODEL.md §9.4).
    pub errors: f64,
    /// Posts filled by a hire (the initial team excluded): each costs recruitment.
    pub hires: f64,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub levers: Levers,
    pub c: Constants,
    /// Mechanisms switched off (those that are not a constant at its neutral value: see
    /// `Constants::knocked_out`).
    pub off: Knockouts,
    units: usize,
    problems_per_unit: usize,
    /// Each problem's unit (problem / problems_per_unit), looked up rather than divided in the loop.
    unit_of: Vec<usize>,
    options: usize,
    insight_effort: f64,
    pub analysts: Vec<Analyst>,
    /// Per unit: trust T = ½(A + K), what every mechanism reads; relational trust A and competence
    /// trust K, its two stocks (`trust.rs`).
    pub trust: Vec<f64>,
    pub relational: Vec<f64>,
    pub competence: Vec<f64>,
    pub literacy: Vec<f64>,
    /// Evidence and products since each problem's last window, and credit on its way to the posts.
    ledger: Ledger,
    /// Problems someone is working an insight on (commissioned or unsolicited).
    covered: Vec<bool>,
    /// Problems whose unit waits for an insight commissioned for the next window (visible delivery).
    awaiting: Vec<bool>,
    /// Requests per unit that went unanswered since the last feedback (which reads, then clears it).
    unmet: Vec<f64>,
    /// Engagement time per unit over the current planning period (shares of uses' credit).
    period_engagement: Vec<f64>,
    scratch: Scratch,
    /// What has been delivered to each unit and not yet read.
    inbox: Inbox,
    pub counters: Counters,
    /// EWMA (about a quarter) of the shares adhoc, reports, insight, engagement, learning.
    pub time_share: [f64; 5],
    demand: Rng,
    production: Rng,
    transmission: Rng,
    people: Rng,
    credit_draws: Rng,
}

impl Team {
    pub fn new(seed: u64, setup: &Setup, levers: Levers, c: Constants) -> Team {
        let (units, ppu, options) = (setup.units, setup.problems_per_unit, setup.options);
        let problems = units * ppu;
        let mut init = rng::stream(seed, SETUP);
        let beta = Beta::new(c.initial_tech_shape, c.initial_tech_shape).expect("valid Beta");
        let split = c.initial_split();
        let reward = c.initial_reward();
        // Each analyst's first period of care is drawn on the people stream, before any quit draw.
        let mut people = rng::stream(seed, PEOPLE);
        let analysts = (0..setup.posts)
            .map(|i| {
                let translator = i < setup.translators;
                let tech = (setup.initial_tech * 2.0 * beta.sample(&mut init)).clamp(0.0, 1.0);
                let unit = i % units;
                let mut a = Analyst::vacancy(unit, units, translator, 0, split, reward);
                a.in_post = true;
                a.pay_tech = setup.initial_tech;
                a.tech = tech;
                a.tech_max = (tech + setup.dormant_skill).min(1.0);
                a.domain.fill(c.initial_domain_other);
                a.domain[unit] = c.initial_domain_home;
                a.comm = if translator {
                    c.initial_comm_translator
                } else {
                    c.initial_comm_analyst
                };
                a.motivation = c.initial_motivation;
                a.relationship = c.initial_relationship;
                a.care = c.care_initial;
                a.care_reward = [c.initial_care_reward(); MODES];
                if !translator {
                    a.careful = people.random::<f64>() < a.care;
                }
                a
            })
            .collect::<Vec<_>>();
        let posts = analysts.len();
        let inbox = Inbox::new(
            units,
            posts,
            Constants::shelf_weeks(c.report_shelf_life),
            Constants::shelf_weeks(c.insight_shelf_life),
            c.staleness,
        );
        Team {
            levers,
            c,
            off: Knockouts::empty(),
            units,
            problems_per_unit: ppu,
            unit_of: (0..problems).map(|p| p / ppu).collect(),
            options,
            insight_effort: setup.insight_effort,
            analysts,
            trust: vec![setup.trust; units],
            relational: vec![setup.trust; units],
            competence: vec![setup.trust; units],
            literacy: vec![setup.literacy; units],
            ledger: Ledger::new(problems, options, posts),
            covered: vec![false; problems],
            awaiting: vec![false; problems],
            unmet: vec![0.0; units],
            period_engagement: vec![0.0; units],
            scratch: Scratch::new(units, posts),
            inbox,
            counters: Counters::default(),
            time_share: [0.0; 5],
            demand: rng::stream(seed, DEMAND),
            production: rng::stream(seed, PRODUCTION),
            transmission: rng::stream(seed, TRANSMISSION),
            people,
            credit_draws: rng::stream(seed, CREDIT),
        }
    }

    pub fn exists(&self) -> bool {
        !self.analysts.is_empty()
    }

    /// Applies new levers; a change of structure resets working relationships (they rebuild).
    pub fn set_levers(&mut self, levers: Levers) {
        if levers.structure != self.levers.structure {
            for a in &mut self.analysts {
                a.relationship = 0.0;
            }
        }
        self.levers = levers;
    }

    /// Posts in post and vacant.
    pub fn headcount(&self) -> usize {
        self.analysts.iter().filter(|a| a.in_post).count()
    }

    /// One week of demand, allocation, production, transmission and feedback.
    pub fn week(&mut self, world: &World, units: &mut Units, env: &Environment, week: u32) {
        if !self.exists() {
            return;
        }
        self.scratch.clear();
        self.hire(week);
        self.demand(world, env, week);
        self.credit_arrivals(week);
        self.allocate_and_produce(world, units, week);
        self.translate();
        self.transmit(world, units, env);
        self.feedback(env, week);
        if week.is_multiple_of(PLAN_EVERY) {
            self.replan();
        }
    }
}

/// Small teams the phases' tests drive by hand.
#[cfg(test)]
mod fixtures {
    use super::super::{PARAMS, read_environment, read_levers, read_setup};
    use super::ledger::Product;
    use super::*;
    use crate::models::datateam::units::Evaluation;
    use crate::engine::params::{Params, Value};

    /// One unit with one problem of two options and one embedded analyst who never quits and gets no
    /// ad-hoc requests, so a test can drive one product through the week's steps by hand.
    pub fn one_analyst_team() -> (World, Units, Team, Environment) {
        let mut p = Params::defaults(PARAMS);
        for (name, value) in [
            ("units", 1.0),
            ("problems_per_unit", 1.0),
            ("options", 2.0),
            ("analysts", 1.0),
            ("base_quit_rate", 0.0),
            ("adhoc_rate", 0.0),
            ("trust", 1.0),
        ] {
            p.set(name, Value::Num(value));
        }
        p.set("structure", Value::Text("embedded".into()));
        let (env, setup) = (read_environment(&p), read_setup(&p));
        let world = World::new(7, 1, setup.options, &env);
        let units = Units::new(&world, setup.prior_noise, &env);
        let team = Team::new(7, &setup, read_levers(&p), Constants::default());
        (world, units, team, env)
    }

    /// A team of `posts` posts over 4 units of 2 problems of 2 options, nobody quits, no ad-hoc
    /// demand (so queues are only what a test puts in them), hiring delay 12 weeks.
    pub fn team_of(posts: usize, translators: usize) -> (World, Units, Team, Environment) {
        let mut p = Params::defaults(PARAMS);
        for (name, value) in [
            ("units", 4.0),
            ("problems_per_unit", 2.0),
            ("options", 2.0),
            ("analysts", posts as f64),
            ("translators", translators as f64),
            ("base_quit_rate", 0.0),
            ("adhoc_rate", 0.0),
            ("hiring_delay", 12.0),
        ] {
            p.set(name, Value::Num(value));
        }
        let (env, setup) = (read_environment(&p), read_setup(&p));
        let world = World::new(7, 8, setup.options, &env);
        let units = Units::new(&world, setup.prior_noise, &env);
        let team = Team::new(7, &setup, read_levers(&p), Constants::default());
        (world, units, team, env)
    }

    /// Problem 0's beliefs pick option 1 only because of this window's evidence, so a decision there
    /// is evidence-informed and a waiting product that ranks option 1 first is used.
    pub fn informed_window(team: &mut Team, units: &mut Units) {
        units.policy[0] = 0;
        units.set_belief(0, 1.0, 0.0);
        units.set_belief(1, 2.0, 4.0);
        team.ledger.set_evidence(0, 1.0, 0.0, 0.0);
        team.ledger.set_evidence(1, 2.0, 1.0, 6.0);
    }

    /// Problem `problem`'s window in `week`, formally evaluated at `eval_due`, without politics or
    /// noise.
    pub fn window(problem: usize, week: u32, eval_due: u32) -> Window {
        Window {
            problem,
            politics_override: false,
            week,
            evaluation: Evaluation {
                due: eval_due,
                formal: true,
                noise: 0.0,
                impression: 0.0,
            },
        }
    }

    /// An insight by post `producer`'s holder of `generation`, ranking option 1 first, waiting for
    /// problem 0's window.
    pub fn plant_product(team: &mut Team, producer: usize, generation: u32) {
        team.ledger.products[0][0] = Product {
            producer,
            generation,
            best: 1,
            fast: 0.0,
        };
        team.ledger.product_len[0] = 1;
    }
}
