//! Production (MODEL.md §2 step 4): reports to the home unit, aggregated per unit, and insight
//! projects — taken up (a commission first, else the home unit's soonest uncovered problem), worked
//! on at the analyst's speed (slower for a unit the analyst does not know), and finished with the
//! week's production draws (the estimate's noise, whether an inconvenient finding is shaded, then
//! whether an undetected error slipped through).

use rand::Rng as _;

use super::MAX_OPTIONS;
use super::Team;
use super::inbox::Reports;
use super::scratch::Delivery;
use crate::engine::normal::standard_normal;
use crate::models::datateam::Mechanism;
use crate::models::datateam::analysts::{CAREFUL, FAST, Project};
use crate::models::datateam::structure;
use crate::models::datateam::transmission::{self as tx, Kind};
use crate::models::datateam::units::Units;
use crate::models::datateam::world::{World, argmax};

impl Team {
    /// The insight target when no commission waits: the home unit's uncovered problem whose window is
    /// announced, else the one whose last window is oldest.
    pub(super) fn unsolicited_target(&self, world: &World, unit: usize) -> Option<usize> {
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

    /// Analyst `i`'s `n` reports this week to the home unit's inbox, aggregated there (all of
    /// them fast when the analyst works fast this period).
    pub(super) fn make_reports(&mut self, i: usize, n: f64, proximity: f64) {
        let a = &self.analysts[i];
        let salience = tx::relevance(Kind::Report, &self.c) * proximity;
        // Care is a random draw per period: selects, not branches (as in `Analyst::care_effort`).
        let fast = std::hint::select_unpredictable(a.careful, 0.0, n);
        let batch = Reports {
            count: n,
            fast,
            salience: n * salience,
            comm: n * a.comm,
        };
        self.inbox.add_reports(a.unit, i, a.generation, batch);
        self.counters.counted_outputs += n;
        self.counters.reports_delivered += n;
    }

    /// A commission pre-empts unsolicited work, which is dropped, and so a commission demoted at
    /// its window (unless `late_demotion` is knocked out); an analyst with insight time and no
    /// project takes the first commission, else the unsolicited target (`unsolicited`).
    pub(super) fn take_up_project(
        &mut self,
        i: usize,
        time: f64,
        unsolicited: Option<usize>,
        world: &World,
    ) {
        let demotes = !self.off.contains(Mechanism::LateDemotion);
        let a = &mut self.analysts[i];
        let yields = |p: Project| match p.for_window {
            None => true,
            Some(window) => demotes && world.windows_reached[p.problem] != window,
        };
        if a.commission_len > 0 && a.project.is_some_and(yields) {
            let shelved = a.project.take().expect("project");
            self.covered[shelved.problem] = false;
        }
        if a.project.is_none() && time > 0.0 {
            if a.commission_len > 0 {
                let (problem, window) = a.commissions[0];
                a.commissions.copy_within(1..a.commission_len, 0);
                a.commission_len -= 1;
                a.project = Some(Project::new(problem, self.insight_effort, Some(window)));
            } else if let Some(problem) = unsolicited {
                self.covered[problem] = true;
                a.project = Some(Project::new(problem, self.insight_effort, None));
            }
        }
    }

    /// `time` of insight work at `speed` on analyst `i`'s project: 1 if it was finished (and
    /// delivered) this week, else 0; `None` without a project, when the time is not insight work.
    pub(super) fn work_on_insight(
        &mut self,
        i: usize,
        time: f64,
        speed: f64,
        proximity: f64,
        world: &World,
        units: &Units,
    ) -> Option<f64> {
        let a = &mut self.analysts[i];
        let project = a.project.as_mut()?;
        // Distance (MODEL.md §9.4): the effort grows with what the analyst must learn of the unit.
        let far = structure::distance_factor(a.domain[self.unit_of[project.problem]], &self.c);
        let progress = time * speed / far;
        project.remaining -= progress;
        project.fast_work =
            std::hint::select_unpredictable(a.careful, project.fast_work, project.fast_work + progress);
        if project.remaining <= 0.0 {
            let project = a.project.take().expect("project in progress");
            self.deliver_insight(i, project, proximity, world, units);
            Some(1.0)
        } else {
            Some(0.0)
        }
    }

    /// A finished project becomes a delivery: the estimate of every option with the analyst's noise,
    /// shaded toward the unit's belief if inconvenient and the culture unsafe, and what its salience
    /// is made of (its commission and its producer's proximity; the inbox weighs it each week).
    fn deliver_insight(
        &mut self,
        i: usize,
        project: Project,
        proximity: f64,
        world: &World,
        units: &Units,
    ) {
        let (levers, c, k) = (&self.levers, &self.c, self.options);
        let a = &mut self.analysts[i];
        let problem = project.problem;
        let p_unit = self.unit_of[problem];
        // The share of the work done fast lowers quality in proportion (fast_quality at all-fast).
        let done = self.insight_effort - project.remaining;
        let fast = if done > 0.0 {
            (project.fast_work / done).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let care_quality = 1.0 - (1.0 - c.fast_quality) * fast;
        let q = care_quality
            * tx::insight_quality(a.tech, a.domain[p_unit], levers.data_quality, a.motivation);
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
        // Isolation (MODEL.md §9.4): an undetected material error, less likely where work is checked
        // (time in the hub, peers in the unit), more likely when the analyst works fast (§9.3 (i)).
        // Drawn after the other production draws, and its noise only when it happens, so they keep
        // their order. The stated σ is unchanged.
        let phi = structure::unit_time_share_of(levers);
        let n_home = self.scratch.home_analysts[a.unit];
        if self.production.random::<f64>() < structure::error_probability(phi, n_home, !a.careful, c) {
            for xo in x.iter_mut().take(k) {
                *xo += standard_normal(&mut self.production);
            }
            self.counters.errors += 1.0;
        }
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
        self.scratch.deliveries.push(Delivery {
            producer: i,
            generation: a.generation,
            problem,
            for_window: project.for_window,
            proximity,
            translated: false,
            sigma2: sigma * sigma,
            x,
            fast,
        });
        a.mode_counts[CAREFUL] += 1.0 - fast;
        a.mode_counts[FAST] += fast;
        self.counters.counted_outputs += 1.0;
        self.counters.insights_delivered += 1.0;
        if project.for_window == Some(world.windows_reached[problem]) {
            self.delivered_on_time(problem);
        }
    }
}
