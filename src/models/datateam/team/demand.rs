//! Demand (MODEL.md §2 step 2): commissions for announced windows, ad-hoc requests, and their expiry;
//! each routed to the least-loaded post that may take it, ties to knowledge of the asking unit.

use rand::Rng as _;
use rand_distr::{Distribution, Poisson};

use super::Team;
use crate::models::datateam::analysts::{COMMISSION_CAP, REQUEST_EXPIRY, Request};
use crate::models::datateam::world::{Event, World};
use crate::models::datateam::{Environment, Structure};

/// A post a request may be routed to, with its routing key: load, then knowledge of the requesting
/// unit (more is better), then post (lower is better), packed so that the least key is the choice.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
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

impl Team {
    pub(super) fn demand(&mut self, world: &World, env: &Environment, week: u32) {
        self.commission(world);
        self.request_adhoc(env, week);
        self.expire_requests(week);
    }

    /// Commissions: an announced window is commissioned with probability √(L·T).
    fn commission(&mut self, world: &World) {
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
                            self.commission_placed(problem);
                            self.counters.commissions += 1.0;
                        }
                        _ => self.unmet[unit] += 1.0,
                    }
                }
            }
        }
    }

    /// Ad-hoc requests: Poisson(adhoc_rate (0.5 + T)); the leader deflects adhoc_shield of them.
    fn request_adhoc(&mut self, env: &Environment, week: u32) {
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
                let candidates = &mut self.scratch.candidates;
                match least_loaded(candidates) {
                    Some(j) if self.analysts[candidates[j].post].push_request(request) => {
                        candidates[j].key += LOAD_STEP;
                    }
                    _ => self.unmet[unit] += 1.0,
                }
            }
        }
    }

    /// Requests unanswered for REQUEST_EXPIRY weeks expire, unmet.
    fn expire_requests(&mut self, week: u32) {
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

    /// The analyst a commission from `unit` goes to (ad-hoc requests are routed in batches by the same
    /// rule, in `request_adhoc`).
    fn route(&mut self, unit: usize) -> Option<usize> {
        self.collect_candidates(unit);
        let candidates = &self.scratch.candidates;
        least_loaded(candidates).map(|j| candidates[j].post)
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
        self.scratch.candidates.clear();
        if let Some((start, step)) = own {
            self.push_candidates(start, step, unit);
        }
        if self.scratch.candidates.is_empty() && self.levers.structure != Structure::Embedded {
            self.push_candidates(0, 1, unit);
        }
    }

    fn push_candidates(&mut self, start: usize, step: usize, unit: usize) {
        let mut i = start;
        while i < self.analysts.len() {
            let a = &self.analysts[i];
            debug_assert!(a.unit == i % self.units);
            if a.analyses() {
                self.scratch
                    .candidates
                    .push(Candidate::new(i, a.load(), a.domain[unit]));
            }
            i += step;
        }
    }
}
