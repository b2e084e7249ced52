//! Feedback (MODEL.md §2 step 6): the units' relational trust and literacy from this week's contact
//! and exposure; the analysts' skills, motivation and working relationships; quits. (Competence
//! trust moves when an outcome falls due or a window passes: `trust.rs`.)

use rand::Rng as _;

use super::Team;
use crate::models::datateam::analysts::{self, Analyst};
use crate::models::datateam::{Constants, Mechanism, structure};
use crate::models::datateam::{Environment, Structure};

/// What an analyst can learn from the hub this week: the share of time there and the best tech in it.
#[derive(Clone, Copy)]
struct Hub {
    share: f64,
    best: f64,
}

impl Team {
    pub(super) fn feedback(&mut self, env: &Environment, week: u32) {
        self.units_feedback();
        self.analysts_feedback();
        self.quits(env, week);
    }

    /// Units: relational trust (contact builds it, unmet requests erode it, it decays without
    /// contact: `trust.rs`) and literacy (exposure
    /// builds it, fastest in the middle; it decays toward a floor).
    fn units_feedback(&mut self) {
        for u in 0..self.units {
            let (c, s) = (&self.c, &self.scratch);
            let contact =
                (s.engagement[u] + s.presence[u]).min(1.0) + c.contact_per_answer * s.answered[u];
            let unmet = self.unmet[u];
            // Read once, then cleared: requests lost at a quit or a cut of posts arrive after this
            // (or between weeks), and must still cost trust next week.
            self.unmet[u] = 0.0;
            self.relational_week(u, contact, unmet);
            let (c, s) = (&self.c, &self.scratch);
            let exposure = s.understood[u]
                + s.presence[u]
                + s.engagement[u]
                + c.translator_exposure * s.translator_time[u];
            let l = &mut self.literacy[u];
            *l += c.literacy_rate * exposure * (0.2 + *l) * (1.0 - *l)
                - c.literacy_decay * (*l - c.literacy_floor);
            *l = l.clamp(0.0, 1.0);
        }
    }

    /// Analysts in post: skills (not translators'), motivation, working relationships; and the
    /// team's EWMA of time shares.
    fn analysts_feedback(&mut self) {
        let c = &self.c;
        let share = match self.levers.structure {
            Structure::Centralised => 1.0,
            Structure::Embedded => 0.0,
            Structure::HubAndSpoke => self.levers.hub_share,
        };
        // The best tech among the analysts in post, found by allocation's pass over the posts.
        let best = if share > 0.0 {
            self.scratch.best_tech
        } else {
            0.0
        };
        let hub = Hub { share, best };
        // Isolation (MODEL.md §9.4): unused skill decays 1 + φ/n_u times as fast.
        let phi = structure::unit_time_share_of(&self.levers);
        let isolated = !self.off.contains(Mechanism::IsolationSkills);
        let home_analysts = &self.scratch.home_analysts;
        let relationship_step = 1.0 / c.relationship_weeks.max(1.0);
        let builds_relationships = self.levers.structure != Structure::Centralised;
        let mut time_sum = [0.0; 5];
        let mut staff = 0.0;
        for a in &mut self.analysts {
            if !a.in_post {
                continue;
            }
            if !a.translator {
                let isolation = if isolated {
                    structure::isolation_decay_factor(phi, home_analysts[a.unit])
                } else {
                    1.0
                };
                grow_tech(a, hub, isolation, c);
                let project_unit = a.project.map(|p| self.unit_of[p.problem]);
                grow_domain(a, hub, project_unit, c);
                grow_comm(a, c);
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
    }

    /// Quits: a leaver's domain knowledge and unfinished work are lost; the post is refilled later.
    fn quits(&mut self, env: &Environment, week: u32) {
        let weekly_base = analysts::weekly_base_hazard(env.base_quit_rate);
        let quit_bound = analysts::quit_hazard_bound(weekly_base, &self.c);
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
            self.ledger.drop_pending(i);
        }
    }
}

fn grow_tech(a: &mut Analyst, hub: Hub, isolation: f64, c: &Constants) {
    let [_, _, insight, _, learning] = a.time;
    a.tech += analysts::tech_change(
        a.tech, a.tech_max, insight, learning, hub.share, hub.best, isolation, c,
    );
    a.tech = a.tech.clamp(0.0, 1.0);
    a.tech_max = a.tech_max.max(a.tech);
}

/// Domain knowledge grows with work in a unit (time in the home unit, insight work for the project's
/// unit) and decays everywhere.
#[inline]
fn grow_domain(a: &mut Analyst, hub: Hub, project_unit: Option<usize>, c: &Constants) {
    let [_, reports, insight, engage, _] = a.time;
    let home = a.unit;
    let in_unit = (1.0 - hub.share) + reports + engage;
    // Work is zero in every unit but the home unit and the project's. With zero work the update
    // d + (gain·0·(1 − d) − decay·d) is exactly d − decay·d (gain finite, d ∈ [0, 1]; a signed zero
    // changes nothing once added to d), so the other units take that plain, vectorisable form, and
    // the (at most two) worked units are then redone from their old values with the full formula.
    debug_assert!(c.domain_gain.is_finite());
    let old_home = a.domain[home];
    let old_project = project_unit.map(|u| (u, a.domain[u]));
    if (0.0..=1.0).contains(&c.domain_decay) {
        // d − decay·d with decay ∈ [0, 1] and d ∈ [0, 1] stays in [0, d]: rounding is monotone, so
        // decay·d ≤ d. The clamp is then the identity and is left out, which lets the loop vectorise.
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
}

/// Communication grows with engagement and decays toward 0.3.
fn grow_comm(a: &mut Analyst, c: &Constants) {
    let engage = a.time[3];
    a.comm += c.comm_gain * engage * (1.0 - a.comm) - c.comm_decay * (a.comm - 0.3);
    a.comm = a.comm.clamp(0.0, 1.0);
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::one_analyst_team;
    use super::super::ledger::CREDIT_RING;
    use crate::models::datateam::analysts::INSIGHT;
    use crate::models::datateam::Constants;

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
            team.ledger.credit[slot] = [1.0, 0.5];
        }
        team.week(&world, &mut units.clone(), &env, 1);
        assert_eq!(team.counters.quits, 1.0);
        assert!(
            team.ledger.credit.iter().all(|c| *c == [0.0; 2]),
            "{:?}",
            team.ledger.credit
        );
        env.base_quit_rate = 0.0;
        for week in 2..=CREDIT_RING as u32 + 1 {
            team.week(&world, &mut units.clone(), &env, week);
        }
        assert!(team.analysts[0].in_post, "the successor is in post");
        assert_eq!(team.analysts[0].period_credited[INSIGHT], 0.0);
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
}
