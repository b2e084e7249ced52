//! The data team and the units' trust and literacy in it: one week of demand → allocation →
//! production → transmission → feedback (MODEL.md §2, steps 2–6), plus the team's part in decisions
//! (which products informed a window and get credit) and in evaluation (trust from outcomes).
//!
//! Allocation is a rational response to the incentive system: each analyst keeps reward estimates per
//! activity from what the appraisal regime actually paid them (counted outputs vs credited uses,
//! normalised by team means) and re-plans discretionary time by softmax every 4 weeks. No lever writes
//! a result: a KPI regime shifts time toward reports only because reports earn counts.
//!
//! Speed: all buffers are allocated at build; reports are aggregated per unit (expected read and
//! understood counts, one normal draw per problem-week); no allocation happens in the weekly loop.

use rand::Rng as _;
use rand_distr::{Beta, Distribution, Poisson};

use super::analysts::{
    self, ACTIVITIES, Analyst, COMMISSION_CAP, ENGAGEMENT, INSIGHT, Project, REPORTS,
    REQUEST_EXPIRY, Request,
};
use super::constants::Constants;
use super::transmission::{self as tx, Kind};
use super::units::{Units, choose};
use super::world::{Event, World, argmax};
use super::{Environment, Levers, Setup, Structure};
use crate::engine::normal::standard_normal;
use crate::engine::rng::{self, Rng};

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
const CREDIT_RING: usize = 16;
/// Insights kept per problem between windows (the oldest is dropped beyond this).
pub const PRODUCTS_PER_PROBLEM: usize = 8;
pub const MAX_OPTIONS: usize = 8;

/// A read insight waiting for its problem's next window.
#[derive(Debug, Clone, Copy, Default)]
struct Product {
    producer: usize,
    generation: u32,
    best: usize,
    sigma2: f64,
    x: [f64; MAX_OPTIONS],
}

/// The producer of a product whose post has been cut (`Team::set_posts`): nobody is credited.
const NO_PRODUCER: usize = usize::MAX;

/// An insight finished this week, before transmission.
#[derive(Debug, Clone, Copy)]
struct Delivery {
    producer: usize,
    generation: u32,
    problem: usize,
    salience: f64,
    translated: bool,
    sigma2: f64,
    x: [f64; MAX_OPTIONS],
}

/// A post a request may be routed to, with its routing key: load, then knowledge of the requesting
/// unit (more is better), then post (lower is better), packed so that the least key is the choice.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    post: usize,
    key: u128,
}

/// One unit of load in a candidate's key.
const LOAD_STEP: u128 = 1 << 96;

impl Candidate {
    fn new(post: usize, load: usize, domain: f64) -> Candidate {
        // Non-negative floats order like their bits (+0.0 folds a −0.0 in); inverting the bits
        // makes more knowledge a smaller key.
        debug_assert!(domain >= 0.0 && post < 1 << 32);
        let domain_rank = u64::MAX - (domain + 0.0).to_bits();
        Candidate {
            post,
            key: ((load as u128) * LOAD_STEP) | ((domain_rank as u128) << 32) | post as u128,
        }
    }
}

/// The candidate with the lowest load; ties to the highest domain knowledge, then to the first.
/// Branch-free (which candidate wins is data, not a pattern a branch predictor can learn).
fn least_loaded(candidates: &[Candidate]) -> Option<usize> {
    let (mut best, mut best_key) = (0, u128::MAX);
    for (j, c) in candidates.iter().enumerate() {
        let better = c.key < best_key;
        best = std::hint::select_unpredictable(better, j, best);
        best_key = std::hint::select_unpredictable(better, c.key, best_key);
    }
    (!candidates.is_empty()).then_some(best)
}

/// Cumulative counts behind the ratio metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub counted_outputs: f64,
    pub insights_delivered: f64,
    pub insights_used: f64,
    pub delivered: f64,
    pub unread: f64,
    pub commissioned_finished: f64,
    pub late: f64,
    pub quits: f64,
    pub informed_decisions: f64,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub levers: Levers,
    pub c: Constants,
    units: usize,
    problems_per_unit: usize,
    /// Each problem's unit (problem / problems_per_unit), looked up rather than divided in the loop.
    unit_of: Vec<usize>,
    options: usize,
    insight_effort: f64,
    pub analysts: Vec<Analyst>,
    pub trust: Vec<f64>,
    pub literacy: Vec<f64>,
    products: Vec<[Product; PRODUCTS_PER_PROBLEM]>,
    product_len: Vec<usize>,
    /// This window's evidence per option (ΣT/σ², ΣTx/σ²), decayed like precision.
    pub s0: Vec<f64>,
    pub s1: Vec<f64>,
    covered: Vec<bool>,
    /// Credited uses arriving `CREDIT_DELAY` weeks later: [slot][post][insight, engagement].
    credit: Vec<[f64; 2]>,
    answered: Vec<f64>,
    unmet: Vec<f64>,
    engagement: Vec<f64>,
    presence: Vec<f64>,
    translator_time: Vec<f64>,
    translator_capacity: Vec<f64>,
    translator_comm: Vec<f64>,
    report_count: Vec<f64>,
    report_salience: Vec<f64>,
    report_comm: Vec<f64>,
    insight_salience: Vec<f64>,
    understood: Vec<f64>,
    /// Per post this week: reports made and their salience (for unread accounting).
    own_reports: Vec<(f64, f64)>,
    period_engagement: Vec<f64>,
    deliveries: Vec<Delivery>,
    /// Scratch for routing: the posts a request may go to.
    candidates: Vec<Candidate>,
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
        let analysts = (0..setup.posts)
            .map(|i| {
                let translator = i < setup.translators;
                let tech = (setup.initial_tech * 2.0 * beta.sample(&mut init)).clamp(0.0, 1.0);
                let unit = i % units;
                let mut a = Analyst::vacancy(unit, units, translator, 0, split, reward);
                a.in_post = true;
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
                a
            })
            .collect::<Vec<_>>();
        let posts = analysts.len();
        Team {
            levers,
            c,
            units,
            problems_per_unit: ppu,
            unit_of: (0..problems).map(|p| p / ppu).collect(),
            options,
            insight_effort: setup.insight_effort,
            analysts,
            trust: vec![setup.trust; units],
            literacy: vec![setup.literacy; units],
            products: vec![[Product::default(); PRODUCTS_PER_PROBLEM]; problems],
            product_len: vec![0; problems],
            s0: vec![0.0; problems * options],
            s1: vec![0.0; problems * options],
            covered: vec![false; problems],
            credit: vec![[0.0; 2]; CREDIT_RING * posts],
            answered: vec![0.0; units],
            unmet: vec![0.0; units],
            engagement: vec![0.0; units],
            presence: vec![0.0; units],
            translator_time: vec![0.0; units],
            translator_capacity: vec![0.0; units],
            translator_comm: vec![0.0; units],
            report_count: vec![0.0; units],
            report_salience: vec![0.0; units],
            report_comm: vec![0.0; units],
            insight_salience: vec![0.0; units],
            understood: vec![0.0; units],
            own_reports: vec![(0.0, 0.0); posts],
            period_engagement: vec![0.0; units],
            deliveries: Vec::with_capacity(posts + 1),
            candidates: Vec::with_capacity(posts),
            counters: Counters::default(),
            time_share: [0.0; 5],
            demand: rng::stream(seed, DEMAND),
            production: rng::stream(seed, PRODUCTION),
            transmission: rng::stream(seed, TRANSMISSION),
            people: rng::stream(seed, PEOPLE),
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

    /// A scheduled headcount change (MODEL.md §3): the team gets `posts` posts, of which post i is a
    /// translator iff i < `translators`. Runs between weeks, never inside the weekly loop.
    ///
    /// - New posts are appended as vacancies a junior hire fills at week `hire_at` (the path that
    ///   refills a post after a quit, `hire`). Appending keeps post i's home unit at i mod units,
    ///   which routing relies on.
    /// - Cut posts go from the highest index down; their holders leave as on a quit (open requests
    ///   unmet, commissions and projects released) but are not counted as `quits`, which are voluntary
    ///   leavers. Their insights still waiting for a window keep informing it and credit nobody.
    /// - A post that changes role keeps its person and skills, and starts the new role as a hire does:
    ///   work released, working relationships, time split, reward estimates and appraisal period
    ///   reset, pending credit dropped, and a new generation so late credit for the old role's
    ///   products does not reach the new one. A vacant post just changes the role its hire will take.
    pub fn set_posts(&mut self, posts: usize, translators: usize, hire_at: u32) {
        let old = self.analysts.len();
        let roles_change = self.analysts[..posts.min(old)]
            .iter()
            .enumerate()
            .any(|(i, a)| a.translator != (i < translators));
        if posts == old && !roles_change {
            return;
        }
        for i in (posts..old).rev() {
            self.release_work(i);
        }
        self.analysts.truncate(posts);
        for (shelf, &len) in self.products.iter_mut().zip(&self.product_len) {
            for product in &mut shelf[..len] {
                if product.producer >= posts {
                    product.producer = NO_PRODUCER;
                }
            }
        }
        // Pending credit of surviving posts is kept (slot by slot); converted posts' is dropped below.
        let mut credit = vec![[0.0; 2]; CREDIT_RING * posts];
        for slot in 0..CREDIT_RING {
            for i in 0..posts.min(old) {
                credit[slot * posts + i] = self.credit[slot * old + i];
            }
        }
        self.credit = credit;
        for i in 0..posts.min(old) {
            let translator = i < translators;
            if self.analysts[i].translator == translator {
                continue;
            }
            self.analysts[i].translator = translator;
            if !self.analysts[i].in_post {
                continue;
            }
            self.release_work(i);
            self.drop_pending_credit(i);
            let (split, reward) = (self.c.initial_split(), self.c.initial_reward());
            self.analysts[i].start_afresh(split, reward);
        }
        for i in old..posts {
            // A vacancy: `hire` sets the person's skills, motivation and plan when it is filled.
            self.analysts.push(Analyst::vacancy(
                i % self.units,
                self.units,
                i < translators,
                hire_at,
                self.c.initial_split(),
                self.c.initial_reward(),
            ));
        }
        // Per-post buffers follow the posts; the weekly loop then allocates nothing, as before.
        self.own_reports.clear();
        self.own_reports.resize(posts, (0.0, 0.0));
        self.deliveries.clear();
        self.deliveries.reserve(posts + 1);
        self.candidates.clear();
        self.candidates.reserve(posts);
    }

    /// What a holder leaving post `i` leaves behind, as on a quit: open requests are unmet, waiting
    /// commissions and the project in progress are released for others to cover.
    fn release_work(&mut self, i: usize) {
        let a = &mut self.analysts[i];
        while let Some(r) = a.pop_request() {
            self.unmet[r.unit as usize] += 1.0;
        }
        for j in 0..a.commission_len {
            self.covered[a.commissions[j].0] = false;
        }
        a.commission_len = 0;
        if let Some(p) = a.project.take() {
            self.covered[p.problem] = false;
        }
    }

    /// Forgets the credit on its way to post `i` (its holder left or changed role).
    fn drop_pending_credit(&mut self, i: usize) {
        // The ring's stride, which `set_posts` resizes before it grows the team.
        let posts = self.credit.len() / CREDIT_RING;
        for slot in 0..CREDIT_RING {
            self.credit[slot * posts + i] = [0.0; 2];
        }
    }

    /// Posts in post and vacant.
    pub fn headcount(&self) -> usize {
        self.analysts.iter().filter(|a| a.in_post).count()
    }

    /// The analyst a commission from `unit` goes to (ad-hoc requests are routed in batches by the same
    /// rule, in `demand`).
    fn route(&mut self, unit: usize) -> Option<usize> {
        self.collect_candidates(unit);
        least_loaded(&self.candidates).map(|j| self.candidates[j].post)
    }

    /// The posts a request from `unit` may go to, in post order, with their loads and knowledge of the
    /// unit: the unit's own analysts (embedded, hub_and_spoke) or the hub (centralised, or when the
    /// unit has nobody in a hub_and_spoke team).
    fn collect_candidates(&mut self, unit: usize) {
        // Post i's home unit is i mod units, fixed for the run (`Team::new`), so a unit's own posts
        // are every `units`-th post from `unit`.
        let own = match self.levers.structure {
            Structure::Centralised => None,
            Structure::Embedded | Structure::HubAndSpoke => Some((unit, self.units)),
        };
        self.candidates.clear();
        if let Some((start, step)) = own {
            self.push_candidates(start, step, unit);
        }
        if self.candidates.is_empty() && self.levers.structure != Structure::Embedded {
            self.push_candidates(0, 1, unit);
        }
    }

    fn push_candidates(&mut self, start: usize, step: usize, unit: usize) {
        let mut i = start;
        while i < self.analysts.len() {
            let a = &self.analysts[i];
            debug_assert!(a.unit == i % self.units);
            if a.analyses() {
                self.candidates
                    .push(Candidate::new(i, a.load(), a.domain[unit]));
            }
            i += step;
        }
    }

    /// The team's part in a decision: which choice the beliefs without this window's products would
    /// have made, whether the products changed it, and credit for the products that did.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &mut self,
        world: &World,
        units: &mut Units,
        problem: usize,
        politics_override: bool,
        env: &Environment,
        week: u32,
        eval_due: u32,
        eval_noise: f64,
    ) {
        let k = self.options;
        let base = problem * k;
        let mut means = [0.0; MAX_OPTIONS];
        let mut without = [0.0; MAX_OPTIONS];
        for o in 0..k {
            means[o] = units.mean(base + o);
            let tau =
                (units.precision[base + o] - self.s0[base + o]).max(super::units::MIN_PRECISION);
            without[o] = (units.eta[base + o] - self.s1[base + o]) / tau;
        }
        let incumbent = units.policy[problem];
        let chosen = if politics_override {
            world.favourite[problem]
        } else {
            choose(&means[..k], incumbent, env.status_quo_bias)
        };
        let informed =
            !politics_override && chosen != choose(&without[..k], incumbent, env.status_quo_bias);
        let mut informed_by = None;
        if informed {
            self.counters.informed_decisions += 1.0;
            let unit = self.unit_of[problem];
            let (mut x_sum, mut var_sum, mut n) = (0.0, 0.0, 0.0);
            for j in 0..self.product_len[problem] {
                let p = self.products[problem][j];
                if p.best != chosen {
                    continue;
                }
                n += 1.0;
                x_sum += p.x[chosen];
                var_sum += p.sigma2;
                self.counters.insights_used += 1.0;
                let credited = self.credit_draws.random::<f64>() >= self.c.credit_miss;
                let slot = (week as usize + CREDIT_DELAY) % CREDIT_RING;
                let posts = self.analysts.len();
                // A producer whose post was cut (or changed role) gets no credit.
                if let Some(producer) = self.analysts.get_mut(p.producer)
                    && producer.in_post
                    && producer.generation == p.generation
                {
                    producer.week_used += 1.0;
                    producer.period_seen[INSIGHT] += 1.0;
                    if credited {
                        self.credit[slot * posts + p.producer][0] += 1.0;
                    }
                }
                // Engagement with the unit earns a share of each use, split by engagement time.
                let engaged = self.period_engagement[unit];
                if engaged > 0.0 {
                    for (i, a) in self.analysts.iter_mut().enumerate() {
                        if a.analyses() && a.unit == unit && a.period_time[ENGAGEMENT] > 0.0 {
                            let share =
                                self.c.engagement_credit * a.period_time[ENGAGEMENT] / engaged;
                            a.period_seen[ENGAGEMENT] += share;
                            if credited {
                                self.credit[slot * posts + i][1] += share;
                            }
                        }
                    }
                }
            }
            if n > 0.0 {
                informed_by = Some((x_sum / n, var_sum / n));
            }
        }
        units.enact(world, problem, chosen, eval_due, eval_noise, informed_by);
        for o in 0..k {
            self.s0[base + o] = 0.0;
            self.s1[base + o] = 0.0;
        }
        self.product_len[problem] = 0;
        self.covered[problem] = false;
    }

    /// Trust from evaluation: an outcome within 1.5 SD of what the informing products said builds
    /// trust a little; a miss loses more (Slovic 1993).
    pub fn judge(&mut self, problem: usize, informed_by: (f64, f64), outcome: f64, obs_noise: f64) {
        let unit = self.unit_of[problem];
        let (x, var) = informed_by;
        let z = (outcome - x) / (var + obs_noise * obs_noise).sqrt();
        let t = &mut self.trust[unit];
        if z.abs() < self.c.trust_z_tolerance {
            *t += self.c.trust_gain_eval * (1.0 - *t);
        } else {
            *t -= self.c.trust_loss_eval * *t;
        }
        *t = t.clamp(0.0, 1.0);
    }

    /// Decays this window's evidence sums like the precision they were added to.
    pub fn decay_evidence(&mut self, index: usize, ratio: f64) {
        self.s0[index] *= ratio;
        self.s1[index] *= ratio;
    }

    /// One week of demand, allocation, production, transmission and feedback.
    pub fn week(&mut self, world: &World, units: &mut Units, env: &Environment, week: u32) {
        if !self.exists() {
            return;
        }
        self.clear_scratch();
        self.hire(week);
        self.demand(world, env, week);
        self.credit_arrivals(week);
        self.allocate_and_produce(world, units);
        self.translate();
        self.transmit(world, units, env);
        self.feedback(env, week);
        if week.is_multiple_of(PLAN_EVERY) {
            self.replan();
        }
    }

    fn clear_scratch(&mut self) {
        for v in [
            &mut self.answered,
            &mut self.engagement,
            &mut self.presence,
            &mut self.translator_time,
            &mut self.translator_capacity,
            &mut self.translator_comm,
            &mut self.report_count,
            &mut self.report_salience,
            &mut self.report_comm,
            &mut self.insight_salience,
            &mut self.understood,
        ] {
            v.fill(0.0);
        }
        self.deliveries.clear();
        // `unmet` is not cleared here: requests lost at a quit or a cut of posts arrive after
        // feedback (or between weeks), and must still cost trust; feedback reads, then clears it.
        // Per analyst nothing needs clearing: `time` is written by allocation for every analyst who
        // works before feedback reads it, and the own-product events (`week_used` …) are cleared by
        // feedback after use, because decisions credit uses before the team's week begins.
    }

    fn hire(&mut self, week: u32) {
        let hire_tech = self.levers.hire_tech;
        let c = &self.c;
        let (split, reward) = (c.initial_split(), c.initial_reward());
        for a in &mut self.analysts {
            if !a.in_post && a.hire_at <= week {
                a.in_post = true;
                a.start_afresh(split, reward);
                a.tech = hire_tech;
                a.tech_max = hire_tech;
                a.domain.fill(0.0);
                a.comm = if a.translator {
                    c.hire_comm_translator
                } else {
                    c.hire_comm_analyst
                };
                a.motivation = c.hire_motivation;
            }
        }
    }

    fn demand(&mut self, world: &World, env: &Environment, week: u32) {
        // Commissions: an announced window is commissioned with probability √(L·T).
        for e in &world.events {
            if let Event::Announced { problem } = *e {
                let unit = self.unit_of[problem];
                let p = (self.literacy[unit] * self.trust[unit]).sqrt();
                if self.demand.random::<f64>() < p {
                    match self.route(unit) {
                        Some(i) if self.analysts[i].commission_len < COMMISSION_CAP => {
                            let a = &mut self.analysts[i];
                            a.commissions[a.commission_len] =
                                (problem, world.windows_reached[problem]);
                            a.commission_len += 1;
                            self.covered[problem] = true;
                        }
                        _ => self.unmet[unit] += 1.0,
                    }
                }
            }
        }
        // Ad-hoc requests: Poisson(adhoc_rate (0.5 + T)); the leader deflects adhoc_shield of them.
        for unit in 0..self.units {
            let mean = env.adhoc_rate * (0.5 + self.trust[unit]);
            if mean <= 0.0 {
                continue;
            }
            let n = Poisson::new(mean).map_or(0.0, |d| d.sample(&mut self.demand)) as u32;
            if n == 0 {
                continue;
            }
            // The unit's candidates are gathered once; within the batch only the loads of the
            // analysts who take a request change, and those are tracked here.
            self.collect_candidates(unit);
            let request = Request {
                week,
                unit: unit as u16,
            };
            for _ in 0..n {
                // No draw when nothing is deflected (the default): one uniform per request saved.
                if self.levers.adhoc_shield > 0.0
                    && self.demand.random::<f64>() < self.levers.adhoc_shield
                {
                    self.unmet[unit] += 1.0;
                    continue;
                }
                match least_loaded(&self.candidates) {
                    Some(j) if self.analysts[self.candidates[j].post].push_request(request) => {
                        self.candidates[j].key += LOAD_STEP;
                    }
                    _ => self.unmet[unit] += 1.0,
                }
            }
        }
        // Requests unanswered for REQUEST_EXPIRY weeks expire, unmet.
        for a in &mut self.analysts {
            while let Some(r) = a.oldest_request() {
                if r.week + REQUEST_EXPIRY > week {
                    break;
                }
                a.pop_request();
                self.unmet[r.unit as usize] += 1.0;
            }
        }
    }

    fn credit_arrivals(&mut self, week: u32) {
        let posts = self.analysts.len();
        let slot = week as usize % CREDIT_RING;
        for (i, a) in self.analysts.iter_mut().enumerate() {
            let c = &mut self.credit[slot * posts + i];
            a.period_credited[INSIGHT] += c[0];
            a.period_credited[ENGAGEMENT] += c[1];
            *c = [0.0; 2];
        }
    }

    /// The insight target when no commission waits: the home unit's uncovered problem whose window is
    /// announced, else the one whose last window is oldest.
    fn unsolicited_target(&self, world: &World, unit: usize) -> Option<usize> {
        let first = unit * self.problems_per_unit;
        let mut best: Option<(bool, u32, usize)> = None;
        for p in first..first + self.problems_per_unit {
            if self.covered[p] {
                continue;
            }
            let key = (world.window_at[p].is_none(), world.last_window[p], p);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|b| b.2)
    }

    fn allocate_and_produce(&mut self, world: &World, units: &Units) {
        // Borrowed, not cloned: these are read-only for the week.
        let levers = &self.levers;
        let c = &self.c;
        let k = self.options;
        let presence_share = match levers.structure {
            Structure::Centralised => 0.0,
            Structure::Embedded => 1.0,
            Structure::HubAndSpoke => 1.0 - levers.hub_share,
        };
        // The protected shares' scale is the same for every analyst: computed once a week.
        let protected = (levers.learning_share + levers.engagement_share).min(1.0);
        let scale = if protected > 0.0 {
            protected / (levers.learning_share + levers.engagement_share)
        } else {
            0.0
        };
        let (per_answer, per_report) = (1.0 / c.adhoc_effort, 1.0 / c.report_effort);
        let n_translators = self.analysts.iter().filter(|a| a.translator).count();
        let mut translator_rank = 0;
        for i in 0..self.analysts.len() {
            if self.analysts[i].translator {
                let rank = translator_rank;
                translator_rank += 1;
                let a = &self.analysts[i];
                if !a.in_post {
                    continue;
                }
                // Translator r serves units u ≡ r (mod n) when n ≤ units, else unit r mod units.
                let served = |u: usize| {
                    if n_translators <= self.units {
                        u % n_translators == rank
                    } else {
                        rank % self.units == u
                    }
                };
                let count = (0..self.units).filter(|&u| served(u)).count().max(1) as f64;
                for u in 0..self.units {
                    if served(u) {
                        self.translator_time[u] += 1.0 / count;
                        self.translator_capacity[u] += c.translator_capacity / count;
                        self.translator_comm[u] = self.translator_comm[u].max(a.comm);
                    }
                }
                continue;
            }
            if !self.analysts[i].in_post {
                continue;
            }
            let unit = self.analysts[i].unit;
            let unsolicited =
                if self.analysts[i].project.is_none() && self.analysts[i].commission_len == 0 {
                    self.unsolicited_target(world, unit)
                } else {
                    None
                };
            let a = &mut self.analysts[i];
            let slow = tx::slowness(a.tech, levers.data_access, c);
            // One division per analyst-week; the efforts' reciprocals are computed once a week.
            let speed = 1.0 / slow;
            // (i) the ad-hoc queue, oldest first, whole answers that fit in the week.
            let answer_cost = c.adhoc_effort * slow;
            // Whole answers that fit in the week, oldest first: ⌊1/cost⌋ of them, or the whole queue.
            // Counted, then popped, so the loop's length is known up front. The cast truncates, which
            // is the floor for a non-negative ratio, and saturates.
            let answers = ((speed * per_answer) as usize).min(a.request_len);
            for _ in 0..answers {
                let r = a.pop_request().expect("counted from the queue's length");
                self.answered[r.unit as usize] += 1.0;
            }
            let adhoc = answers as f64 * answer_cost;
            self.counters.counted_outputs += answers as f64;
            // (ii) learning and (iii) engagement from what ad-hoc leaves; (iv) the rest by the split.
            let rest = (1.0 - adhoc).max(0.0);
            let learning = rest * levers.learning_share * scale;
            // A commissioned insight is asked for, like an ad-hoc request: while an analyst holds
            // one, it takes the time ad-hoc and learning leave (ODD: a refinement of the brief, which
            // would otherwise make nearly every commission late at the defaults).
            let commissioned =
                a.commission_len > 0 || a.project.is_some_and(|p| p.for_window.is_some());
            let (reports_time, insight_time, mut engage) = if commissioned {
                (0.0, rest - learning, 0.0)
            } else {
                let engage = rest * levers.engagement_share * scale;
                let free = (rest - learning - engage).max(0.0);
                (
                    free * a.split[REPORTS],
                    free * a.split[INSIGHT],
                    engage + free * a.split[ENGAGEMENT],
                )
            };
            // Reports to the home unit, aggregated per unit.
            let n_reports = reports_time * speed * per_report;
            let proximity = tx::proximity(levers, a.relationship, c);
            let s_report = tx::salience(Kind::Report, proximity, self.trust[unit], false, c);
            self.report_count[unit] += n_reports;
            self.report_salience[unit] += n_reports * s_report;
            self.report_comm[unit] += n_reports * a.comm;
            self.own_reports[i] = (n_reports, s_report);
            self.counters.counted_outputs += n_reports;
            self.counters.delivered += n_reports;
            self.engagement[unit] += engage;
            self.period_engagement[unit] += engage;
            self.presence[unit] += presence_share * a.relationship;
            // Insight work.
            if a.commission_len > 0 && a.project.is_some_and(|p| p.for_window.is_none()) {
                // A commission pre-empts unsolicited work, which is dropped.
                let shelved = a.project.take().expect("project");
                self.covered[shelved.problem] = false;
            }
            if a.project.is_none() && insight_time > 0.0 {
                if a.commission_len > 0 {
                    let (problem, window) = a.commissions[0];
                    a.commissions.copy_within(1..a.commission_len, 0);
                    a.commission_len -= 1;
                    a.project = Some(Project {
                        problem,
                        remaining: self.insight_effort,
                        for_window: Some(window),
                    });
                } else if let Some(problem) = unsolicited {
                    // Unsolicited: the home unit's soonest uncovered problem.
                    self.covered[problem] = true;
                    a.project = Some(Project {
                        problem,
                        remaining: self.insight_effort,
                        for_window: None,
                    });
                }
            }
            let mut insight_done = 0.0;
            let mut worked = insight_time;
            if let Some(project) = a.project.as_mut() {
                project.remaining -= insight_time * speed;
                if project.remaining <= 0.0 {
                    let project = a.project.take().expect("project in progress");
                    insight_done = 1.0;
                    let problem = project.problem;
                    let p_unit = self.unit_of[problem];
                    let q = tx::insight_quality(
                        a.tech,
                        a.domain[p_unit],
                        levers.data_quality,
                        a.motivation,
                    );
                    let sigma = tx::insight_sigma(q, c);
                    let mut x = [0.0; MAX_OPTIONS];
                    let effects = world.effects(problem);
                    for o in 0..k {
                        let z: f64 = standard_normal(&mut self.production);
                        x[o] = effects[o] + sigma * z;
                    }
                    // Shading: an inconvenient finding is moved halfway to what the unit believes.
                    let in_force = units.policy[problem];
                    if argmax(&x[..k]) != in_force
                        && self.production.random::<f64>() < c.shading * (1.0 - levers.psych_safety)
                    {
                        for (o, xo) in x.iter_mut().enumerate().take(k) {
                            *xo = 0.5 * (*xo + units.mean(problem * k + o));
                        }
                        a.week_shaded += 1.0;
                    }
                    let timely = project.for_window == Some(world.windows_reached[problem]);
                    if let Some(w) = project.for_window {
                        self.counters.commissioned_finished += 1.0;
                        if world.windows_reached[problem] != w {
                            self.counters.late += 1.0;
                        }
                    }
                    if project.for_window.is_none() {
                        // An unsolicited project no longer blocks its problem once delivered.
                        self.covered[problem] = false;
                    }
                    let kind = if timely {
                        Kind::TimelyCommissioned
                    } else {
                        Kind::OtherInsight
                    };
                    let salience = tx::salience(kind, proximity, self.trust[p_unit], false, c);
                    self.deliveries.push(Delivery {
                        producer: i,
                        generation: a.generation,
                        problem,
                        salience,
                        translated: false,
                        sigma2: sigma * sigma,
                        x,
                    });
                    self.counters.counted_outputs += 1.0;
                    self.counters.insights_delivered += 1.0;
                    self.counters.delivered += 1.0;
                }
            } else {
                // No project to work on: the time goes to engagement instead.
                engage += insight_time;
                self.engagement[unit] += insight_time;
                self.period_engagement[unit] += insight_time;
                worked = 0.0;
            }
            a.period_time[REPORTS] += reports_time;
            a.period_time[INSIGHT] += worked;
            a.period_time[ENGAGEMENT] += engage;
            a.period_counts[REPORTS] += n_reports;
            a.period_counts[INSIGHT] += insight_done;
            a.time = [adhoc, reports_time, worked, engage, learning];
        }
    }

    /// Translators carry insights first, then reports, up to their capacity per unit.
    fn translate(&mut self) {
        for d in &mut self.deliveries {
            let unit = self.unit_of[d.problem];
            if self.translator_capacity[unit] >= 1.0 {
                self.translator_capacity[unit] -= 1.0;
                d.translated = true;
                d.salience = (2.0 * d.salience).min(1.0);
            }
            self.insight_salience[unit] += d.salience;
        }
    }

    fn transmit(&mut self, world: &World, units: &mut Units, env: &Environment) {
        let k = self.options;
        let ppu = self.problems_per_unit;
        // Per unit: the translated fraction of reports, and the overload factor.
        let mut overload = [0.0f64; 64];
        let mut report_boost = [1.0f64; 64];
        for u in 0..self.units {
            if self.report_count[u] > 0.0 {
                report_boost[u] =
                    1.0 + (self.translator_capacity[u] / self.report_count[u]).min(1.0);
            }
            let total = self.answered[u]
                + self.insight_salience[u]
                + self.report_salience[u] * report_boost[u];
            overload[u] = if total > 0.0 {
                (env.attention / total).min(1.0)
            } else {
                1.0
            };
        }
        // Insights: read, understood, believed.
        for j in 0..self.deliveries.len() {
            let d = self.deliveries[j];
            let unit = self.unit_of[d.problem];
            let p_read = (d.salience * overload[unit]).clamp(0.0, 1.0);
            if self.transmission.random::<f64>() >= p_read {
                self.counters.unread += 1.0;
                self.analysts[d.producer].week_unread += 1.0;
                continue;
            }
            let producer_comm = self.analysts[d.producer].comm;
            let comm = if d.translated {
                producer_comm.max(self.translator_comm[unit])
            } else {
                producer_comm
            };
            let p_understood = tx::understood_probability(self.literacy[unit], comm);
            let understood = self.transmission.random::<f64>() < p_understood;
            if understood {
                self.understood[unit] += 1.0;
            }
            let t = self.trust[unit];
            let weight = t / d.sigma2;
            let base = d.problem * k;
            for o in 0..k {
                let x = if understood {
                    d.x[o]
                } else {
                    let z: f64 = standard_normal(&mut self.transmission);
                    d.x[o] + self.c.misread_noise * z
                };
                units.believe(base + o, x, weight);
                self.s0[base + o] += weight;
                self.s1[base + o] += weight * x;
            }
            // Kept for the next window: a product's own estimate decides whether it was used.
            let len = self.product_len[d.problem];
            let entry = Product {
                producer: d.producer,
                generation: d.generation,
                best: argmax(&d.x[..k]),
                sigma2: d.sigma2,
                x: d.x,
            };
            if len < PRODUCTS_PER_PROBLEM {
                self.products[d.problem][len] = entry;
                self.product_len[d.problem] += 1;
            } else {
                self.products[d.problem].copy_within(1.., 0);
                self.products[d.problem][PRODUCTS_PER_PROBLEM - 1] = entry;
            }
        }
        // Reports, aggregated: expected read and understood counts; one closed-form update per problem.
        let rn2 = self.c.report_noise * self.c.report_noise;
        let mn2 = self.c.misread_noise * self.c.misread_noise;
        for u in 0..self.units {
            let count = self.report_count[u];
            if count <= 0.0 {
                continue;
            }
            let read = (self.report_salience[u] * report_boost[u] * overload[u]).min(count);
            self.counters.unread += count - read;
            let mut comm = self.report_comm[u] / count;
            let translated = report_boost[u] - 1.0;
            comm = (1.0 - translated) * comm + translated * comm.max(self.translator_comm[u]);
            let p_understood = tx::understood_probability(self.literacy[u], comm);
            self.understood[u] += read * p_understood;
            let t = self.trust[u];
            let bias_sd = self.c.report_bias * (1.2 - self.levers.data_quality);
            for p in u * ppu..(u + 1) * ppu {
                let m = read / ppu as f64;
                if m <= 1e-12 {
                    continue;
                }
                let misread = m * (1.0 - p_understood);
                let var = (m * rn2 + misread * mn2) / (m * m);
                let z: f64 = standard_normal(&mut self.transmission);
                let option = units.policy[p];
                let index = p * k + option;
                let x = world.theta[index] + bias_sd * world.bias_draw[p] + var.sqrt() * z;
                let weight = t * m / rn2;
                units.believe(index, x, weight);
                self.s0[index] += weight;
                self.s1[index] += weight * x;
            }
        }
        for (i, a) in self.analysts.iter_mut().enumerate() {
            // No branch on whether the analyst made reports: with none, n = 0 adds exactly +0.
            let (n, s) = self.own_reports[i];
            let u = a.unit;
            let p_read = (s * report_boost[u] * overload[u]).min(1.0);
            a.week_unread += n * (1.0 - p_read);
            self.own_reports[i] = (0.0, 0.0);
        }
    }

    fn feedback(&mut self, env: &Environment, week: u32) {
        let c = &self.c;
        // Units: relational trust and literacy.
        for u in 0..self.units {
            let contact = (self.engagement[u] + self.presence[u]).min(1.0)
                + c.contact_per_answer * self.answered[u];
            let t = &mut self.trust[u];
            *t += c.trust_contact * contact * (1.0 - *t) - c.trust_unmet * self.unmet[u] * *t;
            *t = t.clamp(0.0, 1.0);
            self.unmet[u] = 0.0;
            let exposure = self.understood[u]
                + self.presence[u]
                + self.engagement[u]
                + c.translator_exposure * self.translator_time[u];
            let l = &mut self.literacy[u];
            *l += c.literacy_rate * exposure * (0.2 + *l) * (1.0 - *l)
                - c.literacy_decay * (*l - c.literacy_floor);
            *l = l.clamp(0.0, 1.0);
        }
        // Analysts: skills, motivation, quits.
        let hub = match self.levers.structure {
            Structure::Centralised => 1.0,
            Structure::Embedded => 0.0,
            Structure::HubAndSpoke => self.levers.hub_share,
        };
        let best_in_hub = if hub > 0.0 {
            self.analysts
                .iter()
                .filter(|a| a.analyses())
                .map(|a| a.tech)
                .fold(0.0, f64::max)
        } else {
            0.0
        };
        let relationship_step = 1.0 / c.relationship_weeks.max(1.0);
        let builds_relationships = self.levers.structure != Structure::Centralised;
        let weekly_base = analysts::weekly_base_hazard(env.base_quit_rate);
        let quit_bound = analysts::quit_hazard_bound(weekly_base, c);
        let decay_stays_in_range = (0.0..=1.0).contains(&c.domain_decay);
        let mut time_sum = [0.0; 5];
        let mut staff = 0.0;
        for a in &mut self.analysts {
            if !a.in_post {
                continue;
            }
            if !a.translator {
                let [_, reports, insight, engage, learning] = a.time;
                a.tech += analysts::tech_change(
                    a.tech,
                    a.tech_max,
                    insight,
                    learning,
                    hub,
                    best_in_hub,
                    c,
                );
                a.tech = a.tech.clamp(0.0, 1.0);
                a.tech_max = a.tech_max.max(a.tech);
                let home = a.unit;
                let in_unit = (1.0 - hub) + reports + engage;
                // Domain knowledge: work is zero in every unit but the home unit and the project's.
                // With zero work the update d + (gain·0·(1 − d) − decay·d) is exactly d − decay·d
                // (gain finite, d ∈ [0, 1]; a signed zero changes nothing once added to d), so the
                // other units take that plain, vectorisable form, and the (at most two) worked units
                // are then redone from their old values with the full formula, as before.
                debug_assert!(c.domain_gain.is_finite());
                let project_unit = a.project.map(|p| self.unit_of[p.problem]);
                let old_home = a.domain[home];
                let old_project = project_unit.map(|u| (u, a.domain[u]));
                if decay_stays_in_range {
                    // d − decay·d with decay ∈ [0, 1] and d ∈ [0, 1] stays in [0, d]: rounding is
                    // monotone, so decay·d ≤ d. The clamp is then the identity and is left out, which
                    // lets the loop vectorise.
                    for d in a.domain.iter_mut() {
                        *d -= c.domain_decay * *d;
                    }
                } else {
                    for d in a.domain.iter_mut() {
                        *d = (*d - c.domain_decay * *d).clamp(0.0, 1.0);
                    }
                }
                let update = |d: f64, work: f64| {
                    (d + (c.domain_gain * work * (1.0 - d) - c.domain_decay * d)).clamp(0.0, 1.0)
                };
                match old_project {
                    Some((u, _)) if u == home => {
                        a.domain[home] = update(old_home, in_unit + insight);
                    }
                    Some((u, old)) => {
                        a.domain[home] = update(old_home, in_unit + 0.0);
                        a.domain[u] = update(old, 0.0 + insight);
                    }
                    None => a.domain[home] = update(old_home, in_unit + 0.0),
                }
                a.comm += c.comm_gain * engage * (1.0 - a.comm) - c.comm_decay * (a.comm - 0.3);
                a.comm = a.comm.clamp(0.0, 1.0);
                for (sum, t) in time_sum.iter_mut().zip(a.time) {
                    *sum += t;
                }
                staff += 1.0;
            }
            a.motivation += analysts::motivation_change(
                a.motivation,
                self.levers.kpi_weight,
                self.levers.psych_safety,
                a.week_used,
                a.week_unread,
                a.week_shaded,
                c,
            );
            a.motivation = a.motivation.clamp(0.0, 1.0);
            a.week_used = 0.0;
            a.week_unread = 0.0;
            a.week_shaded = 0.0;
            if builds_relationships {
                a.relationship = (a.relationship + relationship_step).min(1.0);
            }
        }
        if staff > 0.0 {
            for (share, sum) in self.time_share.iter_mut().zip(time_sum) {
                *share += (sum / staff - *share) / 13.0;
            }
        }
        // Quits: a leaver's domain knowledge and unfinished work are lost; the post is refilled later.
        for i in 0..self.analysts.len() {
            if !self.analysts[i].in_post {
                continue;
            }
            // One draw per analyst in post, as before; the exact hazard (an `exp`) is only needed
            // when the draw falls below the week's bound on it, which is rare.
            let draw = self.people.random::<f64>();
            if draw >= quit_bound
                || draw >= analysts::quit_hazard(weekly_base, self.analysts[i].motivation, &self.c)
            {
                continue;
            }
            self.counters.quits += 1.0;
            let a = &mut self.analysts[i];
            a.in_post = false;
            a.hire_at = week + env.hiring_delay;
            self.release_work(i);
            // Credit still on its way was earned by the leaver: it must not reach the successor.
            self.drop_pending_credit(i);
        }
    }

    /// Every 4 weeks: update reward estimates from what the regime paid, then move the split toward
    /// softmax(gain·Q). Rewards are normalised by team means, so "mixed" weighs counts and uses equally.
    fn replan(&mut self) {
        let c = &self.c;
        let kw = self.levers.kpi_weight;
        let (mut counts, mut credited, mut seen, mut time) = (0.0, 0.0, 0.0, 0.0);
        for a in self.analysts.iter().filter(|a| a.analyses()) {
            counts += a.period_counts.iter().sum::<f64>();
            credited += a.period_credited.iter().sum::<f64>();
            seen += a.period_seen.iter().sum::<f64>();
            time += a.period_time.iter().sum::<f64>();
        }
        if time <= 0.0 {
            return;
        }
        // Rates are divided by the team means: reciprocals once per re-plan, one division per
        // activity for its time, instead of a division per term.
        let per_mean = |total: f64| {
            let mean = total / time;
            if mean > 0.0 { 1.0 / mean } else { 0.0 }
        };
        let (per_counts, per_credited, per_seen) =
            (per_mean(counts), per_mean(credited), per_mean(seen));
        for a in self.analysts.iter_mut().filter(|a| a.analyses()) {
            for act in 0..ACTIVITIES {
                let t = a.period_time[act];
                if t < 0.1 {
                    continue;
                }
                let per_time = 1.0 / t;
                let r = kw * (a.period_counts[act] * per_time * per_counts)
                    + (1.0 - kw) * (a.period_credited[act] * per_time * per_credited)
                    + c.intrinsic_weight
                        * a.motivation
                        * (a.period_seen[act] * per_time * per_seen);
                a.reward[act] += c.q_rate * (r - a.reward[act]);
            }
            let top = a.reward.iter().copied().fold(f64::MIN, f64::max);
            // exp(gain·0) is exactly 1: the top activity's weight needs no `exp`.
            let weights = a.reward.map(|q| {
                if q == top {
                    1.0
                } else {
                    (c.softmax_gain * (q - top)).exp()
                }
            });
            let total: f64 = weights.iter().sum();
            let step_per_total = c.plan_step / total;
            for (share, weight) in a.split.iter_mut().zip(weights) {
                *share = (1.0 - c.plan_step) * *share + weight * step_per_total;
            }
            a.period_time = [0.0; ACTIVITIES];
            a.period_counts = [0.0; ACTIVITIES];
            a.period_credited = [0.0; ACTIVITIES];
            a.period_seen = [0.0; ACTIVITIES];
        }
        self.period_engagement.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PARAMS, read_environment, read_levers, read_setup};
    use super::*;
    use crate::engine::params::{Params, Value};

    /// One unit with one problem of two options and one embedded analyst who never quits and gets no
    /// ad-hoc requests, so a test can drive one product through the week's steps by hand.
    fn one_analyst_team() -> (World, Units, Team, Environment) {
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

    #[test]
    fn requests_lost_between_feedbacks_still_cost_trust() {
        // Requests lost at a quit (after feedback) or at a cut of posts (between weeks) are unmet
        // when the next week begins; that week's trust update must count them.
        let (world, units, mut team, env) = one_analyst_team();
        team.trust[0] = 0.8;
        let mut lost = team.clone();
        lost.unmet[0] = 3.0;
        team.week(&world, &mut units.clone(), &env, 1);
        lost.week(&world, &mut units.clone(), &env, 1);
        assert!(
            lost.trust[0] < team.trust[0],
            "{} vs {}",
            lost.trust[0],
            team.trust[0]
        );
        assert_eq!(lost.unmet[0], 0.0, "read once, then cleared");
    }

    #[test]
    fn credit_earned_by_a_leaver_does_not_reach_the_successor() {
        let (world, units, mut team, mut env) = one_analyst_team();
        // Certain to quit this week; the post is refilled at once.
        env.base_quit_rate = 1.0;
        env.hiring_delay = 0;
        team.analysts[0].motivation = 0.0;
        for slot in 0..CREDIT_RING {
            team.credit[slot] = [1.0, 0.5];
        }
        team.week(&world, &mut units.clone(), &env, 1);
        assert_eq!(team.counters.quits, 1.0);
        assert!(
            team.credit.iter().all(|c| *c == [0.0; 2]),
            "{:?}",
            team.credit
        );
        env.base_quit_rate = 0.0;
        for week in 2..=CREDIT_RING as u32 + 1 {
            team.week(&world, &mut units.clone(), &env, week);
        }
        assert!(team.analysts[0].in_post, "the successor is in post");
        assert_eq!(team.analysts[0].period_credited[INSIGHT], 0.0);
    }

    #[test]
    fn a_late_insight_does_not_inform_the_window_it_missed_but_a_later_one() {
        let (mut world, mut units, mut team, env) = one_analyst_team();
        // The analyst's insight, commissioned for the problem's first window, is nearly done…
        team.analysts[0].project = Some(Project {
            problem: 0,
            remaining: 1e-9,
            for_window: Some(0),
        });
        team.covered[0] = true;
        // …but that window comes first: nothing has been delivered, so nothing informs it.
        world.windows_reached[0] = 1;
        team.decide(&world, &mut units, 0, false, &env, 10, 36, 0.0);
        assert_eq!(team.counters.informed_decisions, 0.0);
        assert_eq!(team.product_len[0], 0);
        // Finished after its window: counted late, and delivered with a late insight's salience.
        team.clear_scratch();
        team.allocate_and_produce(&world, &units);
        assert_eq!(team.counters.late, 1.0);
        assert_eq!(team.counters.commissioned_finished, 1.0);
        assert_eq!(team.deliveries.len(), 1);
        let proximity = tx::proximity(&team.levers, team.analysts[0].relationship, &team.c);
        let late = tx::salience(Kind::OtherInsight, proximity, 1.0, false, &team.c);
        let timely = tx::salience(Kind::TimelyCommissioned, proximity, 1.0, false, &team.c);
        assert_eq!(team.deliveries[0].salience, late);
        assert!(late < timely);
        // Once read it waits for the problem's next window, and that window considers it.
        team.deliveries[0].salience = 1.0;
        team.transmit(&world, &mut units, &env);
        assert_eq!(team.product_len[0], 1);
        team.decide(&world, &mut units, 0, false, &env, 36, 62, 0.0);
        assert_eq!(
            team.product_len[0], 0,
            "the next window took the late product into account"
        );
    }

    #[test]
    fn a_used_product_raises_its_producers_motivation_that_week() {
        let (world, units, team, env) = one_analyst_team();
        // A decision before the team's week credits a use to the producer (as `decide` does).
        let mut credited = team.clone();
        credited.analysts[0].week_used = 1.0;
        let mut plain = team;
        plain.week(&world, &mut units.clone(), &env, 1);
        credited.week(&world, &mut units.clone(), &env, 1);
        let gain = credited.analysts[0].motivation - plain.analysts[0].motivation;
        let expected = Constants::default().motivation_used;
        assert!((gain - expected).abs() < 1e-12, "{gain} vs {expected}");
        // Read once, then cleared for the next week's events.
        assert_eq!(credited.analysts[0].week_used, 0.0);
    }

    /// A team of `posts` posts over 4 units of 2 problems of 2 options, nobody quits, no ad-hoc
    /// demand (so queues are only what a test puts in them), hiring delay 12 weeks.
    fn team_of(posts: usize, translators: usize) -> (World, Units, Team, Environment) {
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
    fn informed_window(team: &mut Team, units: &mut Units) {
        units.policy[0] = 0;
        units.precision[..2].copy_from_slice(&[1.0, 2.0]);
        units.eta[..2].copy_from_slice(&[0.0, 4.0]);
        team.s0[..2].copy_from_slice(&[0.0, 1.0]);
        team.s1[..2].copy_from_slice(&[0.0, 6.0]);
    }

    /// An insight by post `producer`'s holder of `generation`, ranking option 1 first, waiting for
    /// problem 0's window.
    fn plant_product(team: &mut Team, producer: usize, generation: u32) {
        let mut x = [0.0; MAX_OPTIONS];
        x[1] = 1.0;
        team.products[0][0] = Product {
            producer,
            generation,
            best: 1,
            sigma2: 1.0,
            x,
        };
        team.product_len[0] = 1;
    }

    #[test]
    fn added_posts_are_vacancies_filled_by_junior_hires_after_the_hiring_delay() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        team.set_posts(12, 0, 10 + env.hiring_delay);
        assert_eq!((team.analysts.len(), team.headcount()), (12, 8));
        for (i, a) in team.analysts.iter().enumerate() {
            assert_eq!(a.unit, i % 4, "post i's home unit is i mod units");
        }
        assert_eq!(team.credit.len(), CREDIT_RING * 12);
        assert_eq!(team.own_reports.len(), 12);
        for week in 11..=22 {
            team.week(&world, &mut units, &env, week);
            let expected = if week < 22 { 8 } else { 12 };
            assert_eq!(team.headcount(), expected, "week {week}");
        }
        for a in &team.analysts[8..] {
            assert!(a.in_post && !a.translator && a.generation == 1);
            // Hired at hire_tech this week; one week of feedback has moved it a little since.
            assert!((a.tech - team.levers.hire_tech).abs() < 0.01, "{}", a.tech);
            assert!(a.domain.iter().all(|&d| d < 0.05), "{:?}", a.domain);
        }
        // The new posts take work like any other: they are routed to and plan their time.
        for week in 23..=60 {
            team.week(&world, &mut units, &env, week);
        }
        assert!(
            team.analysts[8..]
                .iter()
                .all(|a| a.time.iter().sum::<f64>() > 0.99)
        );
        assert_eq!(team.counters.quits, 0.0);
    }

    #[test]
    fn cut_posts_leave_as_on_a_quit_without_counting_as_quits() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 7 (home unit 3) holds two requests, a commission and a project; post 6 a project.
        let request = Request { week: 1, unit: 3 };
        assert!(team.analysts[7].push_request(request) && team.analysts[7].push_request(request));
        team.analysts[7].commissions[0] = (6, 0);
        team.analysts[7].commission_len = 1;
        team.analysts[7].project = Some(Project {
            problem: 7,
            remaining: 2.0,
            for_window: Some(0),
        });
        team.analysts[6].project = Some(Project {
            problem: 5,
            remaining: 2.0,
            for_window: None,
        });
        team.covered[5..8].fill(true);
        // Pending credit for a surviving post and for a cut one.
        team.credit[3 * 8 + 2] = [1.0, 0.5];
        team.credit[3 * 8 + 7] = [1.0, 0.0];
        team.set_posts(6, 0, 99);
        assert_eq!((team.analysts.len(), team.headcount()), (6, 6));
        assert_eq!(team.unmet[3], 2.0, "the leaver's open requests are unmet");
        assert!(!team.covered[5] && !team.covered[6] && !team.covered[7]);
        assert_eq!(team.counters.quits, 0.0, "a cut post is not a quit");
        assert_eq!(team.credit.len(), CREDIT_RING * 6);
        assert_eq!(
            team.credit[3 * 6 + 2],
            [1.0, 0.5],
            "survivors keep pending credit"
        );
        assert_eq!(team.credit.iter().map(|c| c[0] + c[1]).sum::<f64>(), 1.5);
        // An insight naming a post that no longer exists (a stale index: `set_posts` redirects the
        // stored ones, and `decide` guards the read anyway) still informs the window and is counted
        // as used; nobody is credited and nothing panics.
        informed_window(&mut team, &mut units);
        plant_product(&mut team, 7, 0);
        team.decide(&world, &mut units, 0, false, &env, 20, 46, 0.0);
        assert_eq!(team.counters.informed_decisions, 1.0);
        assert_eq!(team.counters.insights_used, 1.0);
        // The team runs on without touching the cut posts.
        for week in 21..=40 {
            team.week(&world, &mut units, &env, week);
        }
        assert_eq!(team.analysts.len(), 6);
        // Cutting to nothing leaves no team; the units' trust and literacy stay.
        team.set_posts(0, 0, 99);
        assert!(!team.exists() && team.credit.is_empty());
        team.week(&world, &mut units, &env, 41);
    }

    #[test]
    fn a_regrown_post_is_not_credited_for_its_cut_predecessors_insight() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 7's holder is a successor (generation 1) whose insight waits for problem 0's window.
        team.analysts[7].generation = 1;
        plant_product(&mut team, 7, 1);
        team.set_posts(7, 0, 30);
        assert_eq!(team.products[0][0].producer, NO_PRODUCER);
        // The post comes back and its new holder (generation 1 again) arrives before the window.
        team.set_posts(8, 0, 30);
        for week in 30..=31 {
            team.week(&world, &mut units, &env, week);
        }
        let hired = &team.analysts[7];
        assert!(hired.in_post && hired.generation == 1);
        assert_eq!(team.product_len[0], 1);
        assert_eq!(team.products[0][0].producer, NO_PRODUCER);
        informed_window(&mut team, &mut units);
        team.decide(&world, &mut units, 0, false, &env, 32, 58, 0.0);
        assert_eq!(team.counters.insights_used, 1.0);
        assert_eq!(team.analysts[7].week_used, 0.0, "nobody is credited");
        assert!(team.credit.iter().all(|c| c[0] == 0.0));
    }

    #[test]
    fn a_converted_post_keeps_its_person_in_the_new_role() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 0 is in post with a request and a project; post 1 is vacant.
        assert!(team.analysts[0].push_request(Request { week: 1, unit: 0 }));
        team.analysts[0].project = Some(Project {
            problem: 1,
            remaining: 2.0,
            for_window: None,
        });
        team.covered[1] = true;
        team.analysts[0].split = [0.6, 0.2, 0.2];
        team.credit[5 * 8] = [1.0, 0.0];
        team.analysts[1].in_post = false;
        team.analysts[1].hire_at = 15;
        let before = team.analysts[0].clone();
        team.set_posts(8, 2, 99);
        let a = &team.analysts[0];
        assert!(
            a.translator && a.in_post,
            "the person stays, as a translator"
        );
        assert_eq!(
            (a.tech, a.comm, a.motivation),
            (before.tech, before.comm, before.motivation)
        );
        assert_eq!(a.domain, before.domain);
        assert_eq!(a.generation, before.generation + 1);
        assert_eq!((a.request_len, a.project), (0, None));
        assert_eq!(a.split, team.c.initial_split());
        assert_eq!(a.relationship, 0.0);
        assert_eq!(team.unmet[0], 1.0);
        assert!(!team.covered[1]);
        assert_eq!(
            team.credit[5 * 8],
            [0.0; 2],
            "the old role's pending credit is dropped"
        );
        assert_eq!(team.counters.quits, 0.0);
        assert_eq!(team.headcount(), 7);
        // The vacant post is filled by a translator hire, at its own time.
        assert!(team.analysts[1].translator && !team.analysts[1].in_post);
        for week in 10..=15 {
            team.week(&world, &mut units, &env, week);
        }
        assert!(team.analysts[1].in_post);
        assert_eq!(team.analysts[1].comm, team.c.hire_comm_translator);
        // Translators do no analysis: nothing is routed to them; they carry products to units.
        assert!(!team.analysts[0].analyses() && !team.analysts[1].analyses());
        assert!(team.translator_time.iter().sum::<f64>() > 0.0);
        // And back: the person is an analyst again, from the initial split.
        team.set_posts(8, 0, 99);
        assert!(!team.analysts[0].translator && team.analysts[0].in_post);
        assert_eq!(team.analysts[0].generation, before.generation + 2);
        // Unchanged posts and roles change nothing.
        let same = team.clone();
        team.set_posts(8, 0, 99);
        assert_eq!(format!("{team:?}"), format!("{same:?}"));
    }
}
