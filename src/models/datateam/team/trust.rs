//! Trust as two stocks (MODEL.md §9.2): each unit's relational (affect-based) trust A and competence
//! (cognition-based) trust K in the team, with T = ½(A + K) the trust every other mechanism reads
//! (`Team::trust`, recomputed whenever A or K changes) (McAllister 1995; Mayer, Davis & Schoorman 1995).
//!
//! - Relational trust is built by contact, decays toward a baseline without it (half-life 26 weeks:
//!   unreinforced ties decay within about a year, Burt 2000) and is eroded by unmet requests.
//! - Competence trust moves on evidence about the team's work: (i) every advised window is judged by
//!   its outcome — formally evaluated, or an informal impression — against what the read products said;
//!   (ii) visible delivery: a commission delivered before its window, or a window it missed.
//!   Losses are 3× gains (Slovic 1993).
//!
//! The update rules are pure functions, tested below; the `Team` methods apply them to a unit.

use super::Team;
use crate::models::datateam::Constants;

/// One week's change of relational trust `a` with `contact` (contact-weeks) and `unmet` requests:
/// a·c·(1 − A) − λ(A − A₀) − u·unmet·A, with λ = ln 2 / half-life.
pub(super) fn relational_change(a: f64, contact: f64, unmet: f64, c: &Constants) -> f64 {
    let decay = std::f64::consts::LN_2 / c.relational_half_life;
    c.relational_rate * contact * (1.0 - a)
        - decay * (a - c.trust_baseline)
        - c.relational_unmet * unmet * a
}

/// The change of competence trust `k` when a judged window's outcome `outcome` (with noise SD
/// `outcome_sd`) meets the advice (estimate, stated variance): a confirmation (|z| within the
/// tolerance) gains a share of the gap to 1, a contradiction loses a (larger) share of K.
pub(super) fn judged_change(
    k: f64,
    advice: (f64, f64),
    outcome: f64,
    outcome_sd: f64,
    c: &Constants,
) -> f64 {
    let (estimate, variance) = advice;
    let z = (outcome - estimate) / (variance + outcome_sd * outcome_sd).sqrt();
    if z.abs() < c.trust_z_tolerance {
        c.competence_gain * (1.0 - k)
    } else {
        -c.competence_loss * k
    }
}

impl Team {
    /// T = ½(A + K) for unit `unit`, after A or K changed.
    fn refresh_trust(&mut self, unit: usize) {
        self.trust[unit] = 0.5 * (self.relational[unit] + self.competence[unit]);
    }

    /// A week of relational trust for unit `unit`: contact builds it, time without contact lets it
    /// decay to the baseline, unmet requests erode it.
    pub(super) fn relational_week(&mut self, unit: usize, contact: f64, unmet: f64) {
        let a = &mut self.relational[unit];
        *a = (*a + relational_change(*a, contact, unmet, &self.c)).clamp(0.0, 1.0);
        self.refresh_trust(unit);
    }

    /// Competence (i): an advised window's outcome is known (formally evaluated, or an informal
    /// impression), and judges the advice the unit was given.
    pub fn judge(&mut self, problem: usize, advice: (f64, f64), outcome: f64, outcome_sd: f64) {
        let unit = self.unit_of[problem];
        let k = &mut self.competence[unit];
        *k = (*k + judged_change(*k, advice, outcome, outcome_sd, &self.c)).clamp(0.0, 1.0);
        self.refresh_trust(unit);
    }

    /// A commission for `problem`'s next window was placed: the unit waits for it.
    pub(super) fn commission_placed(&mut self, problem: usize) {
        self.awaiting[problem] = true;
    }

    /// Competence (ii): the commissioned insight for `problem`'s window arrived before the window.
    pub(super) fn delivered_on_time(&mut self, problem: usize) {
        self.settle_commission(problem, true);
    }

    /// Competence (ii): `problem`'s window has arrived; if the insight commissioned for it was not
    /// delivered, the unit saw the team miss it.
    pub(super) fn missed_window(&mut self, problem: usize) {
        self.settle_commission(problem, false);
    }

    /// The unit waiting for a commission on `problem` sees it delivered on time or its window missed
    /// (nothing happens if it waits for none).
    fn settle_commission(&mut self, problem: usize, delivered: bool) {
        if !std::mem::take(&mut self.awaiting[problem]) {
            return;
        }
        let unit = self.unit_of[problem];
        let k = self.competence[unit];
        let step = if delivered {
            self.c.delivery_gain * (1.0 - k)
        } else {
            -self.c.delivery_loss * k
        };
        self.competence[unit] = (k + step).clamp(0.0, 1.0);
        self.refresh_trust(unit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{one_analyst_team, window};
    use super::*;

    #[test]
    fn relational_trust_decays_to_the_baseline_with_its_half_life() {
        let c = Constants::default();
        let mut a = 0.9;
        for _ in 0..26 {
            a += relational_change(a, 0.0, 0.0, &c);
        }
        // (1 − ln 2/26)^26 ≈ 0.495: half the excess over the baseline is gone in 26 weeks.
        let left = (a - c.trust_baseline) / (0.9 - c.trust_baseline);
        assert!((left - 0.5).abs() < 0.01, "{left}");
    }

    #[test]
    fn relational_trust_settles_at_the_closed_form_steady_state() {
        let c = Constants::default();
        let (contact, unmet) = (1.3, 0.4);
        let mut a = 0.5;
        for _ in 0..5000 {
            a += relational_change(a, contact, unmet, &c);
        }
        let decay = std::f64::consts::LN_2 / c.relational_half_life;
        let ac = c.relational_rate * contact;
        let steady = (ac + decay * c.trust_baseline) / (ac + decay + c.relational_unmet * unmet);
        assert!((a - steady).abs() < 1e-9, "{a} vs {steady}");
        // MODEL.md §9.2's hand figure for embedded contact with little unmet demand: ≈ 0.64.
        let no_unmet = (ac + decay * c.trust_baseline) / (ac + decay);
        assert!((no_unmet - 0.64).abs() < 0.02, "{no_unmet}");
        // Contact builds it, unmet requests erode it.
        assert!(relational_change(0.5, 1.0, 0.0, &c) > relational_change(0.5, 0.0, 0.0, &c));
        assert!(relational_change(0.5, 0.0, 2.0, &c) < relational_change(0.5, 0.0, 0.0, &c));
    }

    #[test]
    fn a_contradicted_judgement_loses_three_times_what_a_confirmed_one_gains() {
        let c = Constants::default();
        let k = 0.5;
        // Advice 0 with variance 0.75, outcome SD 0.5: the z-score's scale is 1.
        let confirmed = judged_change(k, (0.0, 0.75), 1.4, 0.5, &c);
        let contradicted = judged_change(k, (0.0, 0.75), -1.6, 0.5, &c);
        assert!((confirmed - 0.05 * 0.5).abs() < 1e-12, "{confirmed}");
        assert!((contradicted + 0.15 * 0.5).abs() < 1e-12, "{contradicted}");
        assert!((contradicted.abs() / confirmed - 3.0).abs() < 1e-9);
        // A wider stated variance makes the same miss a confirmation.
        assert!(judged_change(k, (0.0, 8.75), -1.6, 0.5, &c) > 0.0);
    }

    #[test]
    fn delivery_before_the_window_gains_and_a_missed_window_loses_competence_trust() {
        let (world, mut units, mut team, env) = one_analyst_team();
        let k0 = team.competence[0];
        // Nothing commissioned: neither a delivery nor a window moves K.
        team.delivered_on_time(0);
        team.decide(&world, &mut units, &env, window(0, 10, 36));
        assert_eq!(team.competence[0], k0);
        team.commission_placed(0);
        team.delivered_on_time(0);
        let delivered = team.competence[0];
        assert!((delivered - (k0 + 0.02 * (1.0 - k0))).abs() < 1e-12);
        // The window after an on-time delivery is not a miss.
        team.decide(&world, &mut units, &env, window(0, 20, 46));
        assert_eq!(team.competence[0], delivered);
        team.commission_placed(0);
        team.decide(&world, &mut units, &env, window(0, 30, 56));
        assert!((team.competence[0] - 0.94 * delivered).abs() < 1e-12);
        assert_eq!(
            team.trust[0],
            0.5 * (team.relational[0] + team.competence[0])
        );
    }
}
