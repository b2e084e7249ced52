//! The team's part in a decision window: whether the products since the last window changed the
//! choice (the choice the beliefs without their evidence would have made is recomputed from the
//! ledger), and, if so, credit for the products that did — to their producers, and a share to the
//! analysts who engaged with the unit. The window's advice (what the products read since the last
//! window said about the chosen option) goes with the decision, for its outcome to judge; a
//! commissioned insight the window did not get costs competence trust. The window then closes:
//! evidence and waiting products are settled.

use rand::Rng as _;

use super::ledger::{CREDIT_ENGAGEMENT, CREDIT_INSIGHT};
use super::{MAX_OPTIONS, Team};
use crate::models::datateam::analysts::{CAREFUL, ENGAGEMENT, FAST, INSIGHT};
use crate::models::datateam::units::{Evaluation, MIN_PRECISION, Units, choose};
use crate::models::datateam::{Environment, Mechanism};
use crate::models::datateam::world::World;

/// A decision window reached on one problem, as the organisation meets it.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub problem: usize,
    /// The ideological favourite wins, whatever the evidence.
    pub politics_override: bool,
    pub week: u32,
    /// When and how the decision's outcome becomes known (the world's draws, shared by every arm;
    /// whether it is formal depends on the organisation's coverage).
    pub evaluation: Evaluation,
}

impl Team {
    /// The team's part in a decision: which choice the beliefs without this window's products would
    /// have made, whether the products changed it, and credit for the products that did.
    pub fn decide(&mut self, world: &World, units: &mut Units, env: &Environment, window: Window) {
        let problem = window.problem;
        let (chosen, informed) = self.choice(world, units, env, &window);
        if informed {
            self.counters.informed_decisions += 1.0;
            self.credit_uses(problem, chosen, window.week);
        }
        // Every advised window is judged, whoever chose: the advice is what the team said.
        let advice = self.ledger.advice(problem * self.options + chosen);
        self.missed_window(problem);
        units.enact(world, problem, chosen, window.evaluation, advice);
        self.settle_commissions(world, problem);
        self.ledger.close_window(problem);
        self.covered[problem] = false;
    }

    /// Commissions for the window just reached lose their priority (MODEL.md §9.3 (i)): one nobody
    /// started is dropped — a request the unit made and the team did not meet — and one in progress
    /// is demoted to another insight (`Team::priority_commission` no longer puts it first). With
    /// `late_demotion` knocked out both keep their priority, as in the first build.
    fn settle_commissions(&mut self, world: &World, problem: usize) {
        let reached = world.windows_reached[problem];
        let unit = self.unit_of[problem];
        let demote = !self.off.contains(Mechanism::LateDemotion);
        let missed_now = |p: usize, window: u32| p == problem && window + 1 == reached;
        for a in &mut self.analysts {
            let mut j = 0;
            while j < a.commission_len {
                let (p, window) = a.commissions[j];
                if !missed_now(p, window) {
                    j += 1;
                    continue;
                }
                // MISSED WINDOW, not started: competence trust's loss for a missed window
                // (MODEL.md §9.2 (ii)) belongs here (another part of issue 9).
                self.counters.windows_missed += 1.0;
                if !demote {
                    j += 1;
                    continue;
                }
                a.commissions.copy_within(j + 1..a.commission_len, j);
                a.commission_len -= 1;
                self.unmet[unit] += 1.0;
            }
            if let Some(project) = a.project
                && let Some(window) = project.for_window
                && missed_now(project.problem, window)
            {
                // MISSED WINDOW, in progress: demoted from now on (`priority_commission`);
                // §9.2 (ii)'s loss for a missed window applies here too.
                self.counters.windows_missed += 1.0;
            }
        }
    }

    /// The units' belief on option `index` took evidence that is not this window's (an observed
    /// outcome): `believed` is its precision before and variance after (`Units::believe`).
    pub fn observe_precision(&mut self, index: usize, believed: (f64, f64)) {
        self.ledger.rescale(index, believed);
    }

    /// The choice, and whether it is evidence-informed: not overridden by politics, and different
    /// from the choice the beliefs would make without this window's evidence.
    fn choice(
        &self,
        world: &World,
        units: &Units,
        env: &Environment,
        window: &Window,
    ) -> (usize, bool) {
        let (problem, k) = (window.problem, self.options);
        let base = problem * k;
        let mut means = [0.0; MAX_OPTIONS];
        let mut without = [0.0; MAX_OPTIONS];
        for o in 0..k {
            let (mean, precision) = (units.mean(base + o), units.precision(base + o));
            means[o] = mean;
            let (s0, s1) = self.ledger.evidence(base + o, precision);
            let tau = (precision - s0).max(MIN_PRECISION);
            without[o] = (mean * precision - s1) / tau;
        }
        let incumbent = units.policy[problem];
        if window.politics_override {
            return (world.favourite[problem], false);
        }
        let chosen = choose(&means[..k], incumbent, env.status_quo_bias);
        let informed = chosen != choose(&without[..k], incumbent, env.status_quo_bias);
        (chosen, informed)
    }

    /// Every waiting product that ranked the chosen option first was used: counted and credited.
    fn credit_uses(&mut self, problem: usize, chosen: usize, week: u32) {
        let unit = self.unit_of[problem];
        for j in 0..self.ledger.product_len[problem] {
            let p = self.ledger.products[problem][j];
            if p.best != chosen {
                continue;
            }
            self.counters.insights_used += 1.0;
            let credited = self.credit_draws.random::<f64>() >= self.c.credit_miss;
            // A producer whose post was cut (or changed role) gets no credit.
            if let Some(producer) = self.analysts.get_mut(p.producer)
                && producer.in_post
                && producer.generation == p.generation
            {
                producer.week_used += 1.0;
                producer.period_seen[INSIGHT] += 1.0;
                // Seen and credited uses go to the mode the product was made in.
                producer.mode_seen[CAREFUL] += 1.0 - p.fast;
                producer.mode_seen[FAST] += p.fast;
                if credited {
                    self.ledger
                        .owe(week, p.producer, CREDIT_INSIGHT, 1.0, p.fast);
                }
            }
            self.credit_engagement(unit, credited, week);
        }
    }

    /// Engagement with the unit earns a share of each use, split by engagement time.
    fn credit_engagement(&mut self, unit: usize, credited: bool, week: u32) {
        let engaged = self.period_engagement[unit];
        if engaged > 0.0 {
            for (i, a) in self.analysts.iter_mut().enumerate() {
                if a.analyses() && a.unit == unit && a.period_time[ENGAGEMENT] > 0.0 {
                    let share = self.c.engagement_credit * a.period_time[ENGAGEMENT] / engaged;
                    a.period_seen[ENGAGEMENT] += share;
                    // Engagement of this period: its mode is the analyst's mode now.
                    a.mode_seen[a.mode()] += share;
                    if credited {
                        let fast = if a.careful { 0.0 } else { share };
                        self.ledger.owe(week, i, CREDIT_ENGAGEMENT, share, fast);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{one_analyst_team, window};
    use crate::models::datateam::analysts::Project;
    use crate::models::datateam::{Knockouts, Mechanism};

    #[test]
    fn a_late_insight_does_not_inform_the_window_it_missed_but_a_later_one() {
        let (mut world, mut units, mut team, env) = one_analyst_team();
        // The analyst's insight, commissioned for the problem's first window, is nearly done…
        team.analysts[0].project = Some(Project::new(0, 1e-9, Some(0)));
        team.covered[0] = true;
        // …but that window comes first: nothing has been delivered, so nothing informs it.
        world.windows_reached[0] = 1;
        team.decide(&world, &mut units, &env, window(0, 10, 36));
        assert_eq!(team.counters.informed_decisions, 0.0);
        assert_eq!(team.ledger.product_len[0], 0);
        // Finished after its window: counted late, and it joins the inbox as a late insight (its
        // commission's window has been reached: relevance 0.5, not 1).
        team.scratch.clear();
        team.allocate_and_produce(&world, &units, 10);
        assert_eq!(team.counters.late, 1.0);
        assert_eq!(team.counters.commissioned_finished, 1.0);
        assert_eq!(team.scratch.deliveries.len(), 1);
        assert_eq!(team.scratch.deliveries[0].for_window, Some(0));
        // Once read (every product is, with the reading budget knocked out) it waits for the
        // problem's next window, and that window considers it.
        team.off = Knockouts::of(&[Mechanism::ReadingBudget]);
        team.transmit(&world, &mut units, &env);
        assert_eq!(team.counters.insights_read, 1.0);
        assert_eq!(team.ledger.product_len[0], 1);
        team.decide(&world, &mut units, &env, window(0, 36, 62));
        assert_eq!(
            team.ledger.product_len[0], 0,
            "the next window took the late product into account"
        );
    }
}
