//! Allocation (MODEL.md §2 step 3): each analyst's week, in order — whole ad-hoc answers, protected
//! learning and engagement, then discretionary time by the analyst's own split — and the 4-weekly
//! re-plan of that split from what the appraisal regime paid (counted outputs, credited uses) and
//! what the analyst saw used. Translators spread themselves over the units they serve.
//!
//! Production of reports and insight happens inside the same per-analyst pass (`produce`), in post
//! order, because production draws must stay in that order.

use rand::Rng as _;

use super::Team;
use crate::models::datateam::analysts::{
    self, ACTIVITIES, CAREFUL, ENGAGEMENT, FAST, INSIGHT, MODES, REPORTS,
};
use crate::models::datateam::structure;
use crate::models::datateam::Mechanism;
use crate::models::datateam::transmission as tx;
use crate::models::datateam::units::Units;
use crate::models::datateam::world::World;

/// What is the same for every analyst in a week, computed once a week.
struct WeekTerms {
    /// Presence contact with the home unit per unit of working relationship: φ^β (belonging,
    /// MODEL.md §9.4), φ the share of the week spent there (structure and hub_share). Proximity's
    /// belonging term is the same φ^β.
    presence_contact: f64,
    /// Dual reporting's share of the week (hub_and_spoke only), taken before ad-hoc work.
    overhead: f64,
    /// Scale of the protected learning and engagement shares (they are cut back to sum ≤ 1).
    scale: f64,
    /// Reciprocal of the report effort, so each analyst-week needs one division for it.
    per_report: f64,
}

/// An analyst's week outside ad-hoc work, in full-time shares.
struct Plan {
    reports: f64,
    insight: f64,
    engage: f64,
    learning: f64,
}

impl Team {
    pub(super) fn allocate_and_produce(&mut self, world: &World, units: &Units, week: u32) {
        let terms = self.week_terms();
        // n_u: the analysts at home in each unit, for isolation (errors here, skill decay in feedback);
        // the best tech among them, which feedback's hub learning reads (no tech changes before
        // then); and the translators, in post or not, who share out the units. One pass for all.
        let mut n_translators = 0;
        let mut best_tech = 0.0;
        for a in &self.analysts {
            if a.translator {
                n_translators += 1;
            } else if a.in_post {
                self.scratch.home_analysts[a.unit] += 1.0;
                best_tech = f64::max(best_tech, a.tech);
            }
        }
        self.scratch.best_tech = best_tech;
        let mut translator_rank = 0;
        for i in 0..self.analysts.len() {
            if self.analysts[i].translator {
                let rank = translator_rank;
                translator_rank += 1;
                if self.analysts[i].in_post {
                    self.serve_units(i, rank, n_translators);
                }
                continue;
            }
            if self.analysts[i].in_post {
                self.work_week(i, &terms, world, units, week);
            }
        }
    }

    fn week_terms(&self) -> WeekTerms {
        let levers = &self.levers;
        let presence_contact = structure::belonging(structure::unit_time_share_of(levers), &self.c);
        let protected = (levers.learning_share + levers.engagement_share).min(1.0);
        let scale = if protected > 0.0 {
            protected / (levers.learning_share + levers.engagement_share)
        } else {
            0.0
        };
        WeekTerms {
            presence_contact,
            overhead: structure::dual_overhead(levers.structure, levers.hub_share, &self.c),
            scale,
            per_report: 1.0 / self.c.report_effort,
        }
    }

    /// Translator `rank` (of `n_translators`, in post order) serves units u ≡ rank (mod n) when
    /// n ≤ units, else unit rank mod units, splitting its time and capacity evenly among them.
    fn serve_units(&mut self, i: usize, rank: usize, n_translators: usize) {
        let comm = self.analysts[i].comm;
        let units = self.units;
        let served = |u: usize| {
            if n_translators <= units {
                u % n_translators == rank
            } else {
                rank % units == u
            }
        };
        let count = (0..units).filter(|&u| served(u)).count().max(1) as f64;
        let s = &mut self.scratch;
        for u in 0..units {
            if served(u) {
                s.translator_time[u] += 1.0 / count;
                s.translator_capacity[u] += self.c.translator_capacity / count;
                s.translator_comm[u] = s.translator_comm[u].max(comm);
            }
        }
    }

    /// One analyst's week: dual reporting's overhead first (hub_and_spoke), ad-hoc answers, the plan
    /// for the rest, reports, presence and engagement, insight work; then the week's time and outputs
    /// are recorded for feedback and the re-plan (the recorded shares sum to 1 − overhead).
    fn work_week(&mut self, i: usize, terms: &WeekTerms, world: &World, units: &Units, week: u32) {
        let a = &self.analysts[i];
        let unit = a.unit;
        let (tech, relationship) = (a.tech, a.relationship);
        let unsolicited = if a.project.is_none() && a.commission_len == 0 {
            self.unsolicited_target(world, unit)
        } else {
            None
        };
        // Fast work takes fast_effort of the effort of every product (MODEL.md §9.3 (i)).
        let slow = tx::slowness(tech, self.levers.data_access, &self.c) * a.care_effort(&self.c);
        let speed = 1.0 / slow;
        let adhoc = self.answer_requests(i, slow, 1.0 - terms.overhead);
        let priority = self.priority_commission(i, world, week, slow);
        // The overhead is time already gone, like ad-hoc work: the plan shares what both leave.
        let mut plan = self.plan(i, terms.overhead + adhoc, terms.scale, priority);
        let n_reports = plan.reports * speed * terms.per_report;
        let proximity = tx::proximity_with_belonging(terms.presence_contact, relationship, &self.c);
        self.make_reports(i, n_reports, proximity);
        self.scratch.engagement[unit] += plan.engage;
        self.period_engagement[unit] += plan.engage;
        self.scratch.presence[unit] += terms.presence_contact * relationship;
        self.take_up_project(i, plan.insight, unsolicited, world);
        let (worked, insight_done) =
            match self.work_on_insight(i, plan.insight, speed, proximity, world, units) {
                Some(done) => (plan.insight, done),
                None => {
                    // No project to work on: the time goes to engagement instead.
                    plan.engage += plan.insight;
                    self.scratch.engagement[unit] += plan.insight;
                    self.period_engagement[unit] += plan.insight;
                    (0.0, 0.0)
                }
            };
        let a = &mut self.analysts[i];
        a.period_time[REPORTS] += plan.reports;
        a.period_time[INSIGHT] += worked;
        a.period_time[ENGAGEMENT] += plan.engage;
        a.period_counts[REPORTS] += n_reports;
        a.period_counts[INSIGHT] += insight_done;
        // The week's time and reports belong to this period's mode; a delivered insight's count is
        // split by the share of it made fast (`deliver_insight`).
        let mode = a.mode();
        a.mode_time[mode] += plan.reports + worked + plan.engage;
        a.mode_counts[mode] += n_reports;
        a.time = [adhoc, plan.reports, worked, plan.engage, plan.learning];
    }

    /// The ad-hoc queue, oldest first: whole answers while they fit in the `available` share of the
    /// week, each costing effort × slowness × distance from the asking unit (MODEL.md §9.4: context
    /// to be learnt). Returns the share of the week they took.
    fn answer_requests(&mut self, i: usize, slow: f64, available: f64) -> f64 {
        let answer_cost = self.c.adhoc_effort * slow;
        let a = &mut self.analysts[i];
        let mut used = 0.0;
        while let Some(r) = a.oldest_request() {
            let unit = r.unit as usize;
            let cost = answer_cost * structure::distance_factor(a.domain[unit], &self.c);
            if used + cost > available {
                break;
            }
            a.pop_request();
            used += cost;
            self.scratch.answered[unit] += 1.0;
            self.counters.counted_outputs += 1.0;
        }
        used
    }

    /// The commission that comes first in analyst `i`'s week, if any: the time it still needs at
    /// this week's `slow`ness, and the weeks to its window (0 once passed). A commission in
    /// progress before its window; else the first waiting one, which pre-empts a project that is
    /// not a live commission (`take_up_project`). After its window a commission is demoted and
    /// comes first no more — unless `late_demotion` is knocked out (it then keeps priority, with
    /// its window passed).
    fn priority_commission(
        &self,
        i: usize,
        world: &World,
        week: u32,
        slow: f64,
    ) -> Option<(f64, u32)> {
        let a = &self.analysts[i];
        let keeps_priority = self.off.contains(Mechanism::LateDemotion);
        let before_window = |problem: usize, window: u32| world.windows_reached[problem] == window;
        let weeks_to_window = |problem: usize, window: u32| {
            if before_window(problem, window) {
                world.window_at[problem].map_or(0, |at| at.saturating_sub(week))
            } else {
                0
            }
        };
        if let Some(p) = a.project
            && let Some(window) = p.for_window
            && (keeps_priority || before_window(p.problem, window))
        {
            return Some((
                p.remaining.max(0.0) * slow,
                weeks_to_window(p.problem, window),
            ));
        }
        (a.commission_len > 0).then(|| {
            let (problem, window) = a.commissions[0];
            (self.insight_effort * slow, weeks_to_window(problem, window))
        })
    }

    /// Learning and engagement from what ad-hoc leaves, then the rest by the analyst's split. A
    /// `priority` commission (time needed, weeks to its window) takes at least its pacing floor
    /// and at least the split's insight share of the time available (MODEL.md §9.3 (i)); the
    /// split's other activities share the rest. With `commission_pacing` knocked out the floor is
    /// all the time available, as in the first build (a commission claimed like a request).
    fn plan(&self, i: usize, adhoc: f64, scale: f64, priority: Option<(f64, u32)>) -> Plan {
        let (levers, a) = (&self.levers, &self.analysts[i]);
        let rest = (1.0 - adhoc).max(0.0);
        let learning = rest * levers.learning_share * scale;
        let engage = rest * levers.engagement_share * scale;
        if let Some((effort_left, weeks)) = priority {
            let avail = rest - learning;
            let floor = if self.off.contains(Mechanism::CommissionPacing) {
                avail
            } else {
                analysts::pacing_floor(avail, effort_left, weeks)
            };
            let insight = floor.max(a.split[INSIGHT] * avail).min(avail);
            let left = avail - insight;
            let engage = engage.min(left);
            let free = left - engage;
            let others = a.split[REPORTS] + a.split[ENGAGEMENT];
            let reports = if others > 0.0 {
                free * a.split[REPORTS] / others
            } else {
                0.0
            };
            return Plan {
                reports,
                insight,
                engage: engage + (free - reports),
                learning,
            };
        }
        let free = (rest - learning - engage).max(0.0);
        Plan {
            reports: free * a.split[REPORTS],
            insight: free * a.split[INSIGHT],
            engage: engage + free * a.split[ENGAGEMENT],
            learning,
        }
    }

    /// The leader's credit for uses decided `CREDIT_DELAY` weeks ago reaches the appraisal period.
    pub(super) fn credit_arrivals(&mut self, week: u32) {
        let (arriving, arriving_fast) = self.ledger.arriving(week);
        for ((a, c), fast) in self.analysts.iter_mut().zip(arriving).zip(arriving_fast) {
            a.period_credited[INSIGHT] += c[0];
            a.period_credited[ENGAGEMENT] += c[1];
            a.mode_credited[CAREFUL] += c[0] + c[1] - *fast;
            a.mode_credited[FAST] += *fast;
            *c = [0.0; 2];
            *fast = 0.0;
        }
    }

    /// Every 4 weeks: update reward estimates from what the regime paid, then move the split toward
    /// softmax(gain·Q). Rewards are normalised by team means, so "mixed" weighs counts and uses equally.
    pub(super) fn replan(&mut self) {
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
        // The reward per full-time week of `time` that earned `counts`, `credited` and `seen` uses,
        // for an analyst of motivation `m` (used for activities and for modes of work alike).
        let reward = |counts: f64, credited: f64, seen: f64, time: f64, m: f64| {
            let per_time = 1.0 / time;
            kw * (counts * per_time * per_counts)
                + (1.0 - kw) * (credited * per_time * per_credited)
                + c.intrinsic_weight * m * (seen * per_time * per_seen)
        };
        for a in self.analysts.iter_mut().filter(|a| a.analyses()) {
            for act in 0..ACTIVITIES {
                let t = a.period_time[act];
                if t < 0.1 {
                    continue;
                }
                let (counts, credited) = (a.period_counts[act], a.period_credited[act]);
                let r = reward(counts, credited, a.period_seen[act], t, a.motivation);
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
            // Care (MODEL.md §9.3 (i)): each mode's reward per full-time week, by the same rule,
            // from what it earned since it was last judged; then π, and the next period's mode
            // (one draw per analyst per period, on the people stream, whatever π is).
            for mode in 0..MODES {
                let t = a.mode_time[mode];
                if t < 0.1 {
                    // Too little time to judge: what the mode earned waits for more of it.
                    continue;
                }
                let (counts, credited) = (a.mode_counts[mode], a.mode_credited[mode]);
                let r = reward(counts, credited, a.mode_seen[mode], t, a.motivation);
                a.care_reward[mode] += c.q_care_rate * (r - a.care_reward[mode]);
                a.mode_time[mode] = 0.0;
                a.mode_counts[mode] = 0.0;
                a.mode_credited[mode] = 0.0;
                a.mode_seen[mode] = 0.0;
            }
            a.care = analysts::care_update(a.care, a.care_reward[CAREFUL], a.care_reward[FAST], c);
            a.careful = self.people.random::<f64>() < a.care;
            a.period_time = [0.0; ACTIVITIES];
            a.period_counts = [0.0; ACTIVITIES];
            a.period_credited = [0.0; ACTIVITIES];
            a.period_seen = [0.0; ACTIVITIES];
        }
        self.period_engagement.fill(0.0);
    }
}
