//! One post of the data team and the person in it: skills (tech with its dormant ceiling, domain per
//! unit, communication), motivation, queues, the project in progress, and the reward estimates by
//! which the analyst splits discretionary time. Also the pure update rules for skills, motivation and
//! quitting, kept apart from the weekly loop so unit tests can pin their shapes.

use super::Constants;

/// Ad-hoc requests an analyst can hold; more are unmet at once.
pub const QUEUE_CAP: usize = 16;
/// Commissioned insights an analyst can hold waiting.
pub const COMMISSION_CAP: usize = 4;
/// Weeks an ad-hoc request waits before it expires unmet.
pub const REQUEST_EXPIRY: u32 = 4;

/// The discretionary activities the incentive regime rewards.
pub const REPORTS: usize = 0;
pub const INSIGHT: usize = 1;
pub const ENGAGEMENT: usize = 2;
pub const ACTIVITIES: usize = 3;

/// An insight in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Project {
    pub problem: usize,
    /// Effort left, in full-time weeks of a top analyst with perfect access.
    pub remaining: f64,
    /// For commissioned work: the window count of the problem it was commissioned before.
    pub for_window: Option<u32>,
}

/// A waiting ad-hoc request: the week raised and the unit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Request {
    pub week: u32,
    pub unit: u16,
}

#[derive(Debug, Clone)]
pub struct Analyst {
    pub in_post: bool,
    /// Week a vacant post is filled.
    pub hire_at: u32,
    /// Changes with each new post holder, so late credit never reaches a successor.
    pub generation: u32,
    pub translator: bool,
    /// Home unit (embedded, hub_and_spoke) or main client unit (centralised).
    pub unit: usize,
    pub tech: f64,
    /// The skill the holder was hired at, which sets the post's pay (`Prices::post_cost`):
    /// `initial_tech` for the initial team, `hire_tech` in force at the hire.
    pub pay_tech: f64,
    pub tech_max: f64,
    pub domain: Vec<f64>,
    pub comm: f64,
    pub motivation: f64,
    /// How far working relationships in the home unit have been built (0 after a move or a hire).
    pub relationship: f64,
    pub requests: [Request; QUEUE_CAP],
    pub request_head: usize,
    pub request_len: usize,
    pub commissions: [(usize, u32); COMMISSION_CAP],
    pub commission_len: usize,
    pub project: Option<Project>,
    /// Share of discretionary time on reports, insight and extra engagement.
    pub split: [f64; ACTIVITIES],
    /// Reward estimates per full-time week of each activity.
    pub reward: [f64; ACTIVITIES],
    /// Over the current planning period: time, counted outputs, credited and seen uses per activity.
    pub period_time: [f64; ACTIVITIES],
    pub period_counts: [f64; ACTIVITIES],
    pub period_credited: [f64; ACTIVITIES],
    pub period_seen: [f64; ACTIVITIES],
    /// This week: time shares (adhoc, reports, insight, engagement, learning) and own-product events.
    pub time: [f64; 5],
    pub week_used: f64,
    pub week_unread: f64,
    pub week_shaded: f64,
}

impl Analyst {
    /// An empty post: nobody in it, no work, the split `plan` and reward estimates `reward`.
    /// `Team::hire` fills it (at `hire_at`); the initial team is filled at once by `Team::new`.
    pub fn vacancy(
        unit: usize,
        units: usize,
        translator: bool,
        hire_at: u32,
        plan: [f64; ACTIVITIES],
        reward: [f64; ACTIVITIES],
    ) -> Analyst {
        Analyst {
            in_post: false,
            hire_at,
            generation: 0,
            translator,
            unit,
            tech: 0.0,
            pay_tech: 0.0,
            tech_max: 0.0,
            domain: vec![0.0; units],
            comm: 0.0,
            motivation: 0.0,
            relationship: 0.0,
            requests: [Request::default(); QUEUE_CAP],
            request_head: 0,
            request_len: 0,
            commissions: [(0, 0); COMMISSION_CAP],
            commission_len: 0,
            project: None,
            split: plan,
            reward,
            period_time: [0.0; ACTIVITIES],
            period_counts: [0.0; ACTIVITIES],
            period_credited: [0.0; ACTIVITIES],
            period_seen: [0.0; ACTIVITIES],
            time: [0.0; 5],
            week_used: 0.0,
            week_unread: 0.0,
            week_shaded: 0.0,
        }
    }

    /// Starts the post's holder afresh in its role (a hire, or a change of role): a new generation,
    /// so late credit for a predecessor's products never arrives; no working relationships yet; the
    /// time split `plan` with its reward estimates; an empty appraisal period.
    pub fn start_afresh(&mut self, plan: [f64; ACTIVITIES], reward: [f64; ACTIVITIES]) {
        self.generation += 1;
        self.relationship = 0.0;
        self.split = plan;
        self.reward = reward;
        self.period_time = [0.0; ACTIVITIES];
        self.period_counts = [0.0; ACTIVITIES];
        self.period_credited = [0.0; ACTIVITIES];
        self.period_seen = [0.0; ACTIVITIES];
    }

    /// Waiting work: a commission weighs as four requests. An integer, so routing compares loads
    /// without converting to floating point (the order is the same: the values are small and exact).
    pub fn load(&self) -> usize {
        self.request_len + 4 * self.commission_len
    }

    /// Whether the analyst can take work (in post and an analyst, not a translator).
    pub fn analyses(&self) -> bool {
        self.in_post && !self.translator
    }

    pub fn push_request(&mut self, request: Request) -> bool {
        if self.request_len == QUEUE_CAP {
            return false;
        }
        self.requests[(self.request_head + self.request_len) % QUEUE_CAP] = request;
        self.request_len += 1;
        true
    }

    pub fn pop_request(&mut self) -> Option<Request> {
        if self.request_len == 0 {
            return None;
        }
        let r = self.requests[self.request_head];
        self.request_head = (self.request_head + 1) % QUEUE_CAP;
        self.request_len -= 1;
        Some(r)
    }

    pub fn oldest_request(&self) -> Option<Request> {
        (self.request_len > 0).then(|| self.requests[self.request_head])
    }
}

/// Weekly change of tech: learning from insight work, training and the hub's best (concave in hub time,
/// twice as fast below the dormant ceiling), and decay when the skill is not used, `isolation` times
/// faster for an analyst with few peers (MODEL.md §9.4: 1 + φ/n_u).
#[allow(clippy::too_many_arguments)]
pub fn tech_change(
    tech: f64,
    tech_max: f64,
    insight: f64,
    learning: f64,
    hub: f64,
    best_in_hub: f64,
    isolation: f64,
    c: &Constants,
) -> f64 {
    let boost = if tech < tech_max {
        c.dormant_boost
    } else {
        1.0
    };
    let growth = (1.0 - tech)
        * (c.tech_insight * insight
            + c.tech_learning * learning
            + c.tech_hub * hub.sqrt() * (best_in_hub - tech).max(0.0))
        * boost;
    let unused = (1.0 - insight - learning).max(0.0);
    growth - isolation * c.tech_decay * unused * (tech - 0.5 * tech_max)
}

/// Weekly change of motivation: toward a regime-set target (crowding-out: Deci, Koestner & Ryan
/// 1999), up with own used products, down with own unread and shaded ones.
pub fn motivation_change(
    motivation: f64,
    kpi_weight: f64,
    psych_safety: f64,
    used: f64,
    unread: f64,
    shaded: f64,
    c: &Constants,
) -> f64 {
    let target = 0.7 - c.motivation_kpi * kpi_weight * (1.0 - 0.5 * psych_safety);
    c.motivation_rate * (target - motivation) + c.motivation_used * used
        - c.motivation_unread * unread
        - c.motivation_shaded * shaded
}

/// The weekly quit hazard: the annual base rate converted to a week, scaled by exp(k(0.7 − m)).
pub fn weekly_quit_hazard(base_annual: f64, motivation: f64, c: &Constants) -> f64 {
    quit_hazard(weekly_base_hazard(base_annual), motivation, c)
}

/// The annual base rate as a weekly hazard (computed once a week, not per analyst).
pub fn weekly_base_hazard(base_annual: f64) -> f64 {
    1.0 - (1.0 - base_annual).powf(1.0 / 52.0)
}

/// An upper bound of [`quit_hazard`] over motivation in [0, 1] (the hazard is monotone in motivation,
/// so the larger of the two ends), widened by a relative 1e-9 to absorb rounding in `exp`. A uniform
/// draw at or above it is a stay without evaluating the exact hazard.
pub fn quit_hazard_bound(weekly_base: f64, c: &Constants) -> f64 {
    let ends = quit_hazard(weekly_base, 0.0, c).max(quit_hazard(weekly_base, 1.0, c));
    (ends * (1.0 + 1e-9)).min(1.0)
}

/// The weekly hazard at a given motivation, from the weekly base hazard.
pub fn quit_hazard(weekly_base: f64, motivation: f64, c: &Constants) -> f64 {
    (weekly_base * (c.quit_motivation * (0.7 - motivation)).exp()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dormant_skill_regrows_faster_than_first_learning() {
        let c = Constants::default();
        // Same tech, same work: one once had more (dormant), the other never did.
        let reactivating = tech_change(0.5, 0.7, 0.3, 0.1, 0.0, 0.0, 1.0, &c);
        let learning = tech_change(0.5, 0.5, 0.3, 0.1, 0.0, 0.0, 1.0, &c);
        assert!(reactivating > learning, "{reactivating} vs {learning}");
        // Unused skill decays, faster in isolation.
        let decay = tech_change(0.6, 0.6, 0.0, 0.0, 0.0, 0.0, 1.0, &c);
        assert!(decay < 0.0);
        let isolated = tech_change(0.6, 0.6, 0.0, 0.0, 0.0, 0.0, 2.0, &c);
        assert!((isolated - 2.0 * decay).abs() < 1e-15);
    }

    #[test]
    fn hub_time_is_concave_and_pulls_toward_the_best() {
        let c = Constants::default();
        let none = tech_change(0.4, 0.4, 0.0, 0.0, 0.0, 0.9, 1.0, &c);
        let some = tech_change(0.4, 0.4, 0.0, 0.0, 0.2, 0.9, 1.0, &c);
        let all = tech_change(0.4, 0.4, 0.0, 0.0, 1.0, 0.9, 1.0, &c);
        assert!(none < some && some < all);
        // Concave: the first fifth of hub time gives more than a fifth of the full-time gain.
        assert!(some - none > 0.2 * (all - none));
    }

    #[test]
    fn quit_hazard_rises_as_motivation_falls() {
        let c = Constants::default();
        let h = |m| weekly_quit_hazard(0.12, m, &c);
        assert!(h(0.2) > h(0.5) && h(0.5) > h(0.9));
        // At m = 0.7 the annual rate is the base rate.
        assert!(((1.0 - (1.0 - h(0.7)).powi(52)) - 0.12).abs() < 1e-9);
    }

    #[test]
    fn quit_hazard_bound_covers_every_motivation() {
        let c = Constants::default();
        let base = weekly_base_hazard(0.12);
        let bound = quit_hazard_bound(base, &c);
        for i in 0..=1000 {
            assert!(quit_hazard(base, i as f64 / 1000.0, &c) <= bound);
        }
        let negative = Constants {
            quit_motivation: -2.0,
            ..Constants::default()
        };
        let bound = quit_hazard_bound(base, &negative);
        for i in 0..=1000 {
            assert!(quit_hazard(base, i as f64 / 1000.0, &negative) <= bound);
        }
    }

    #[test]
    fn kpi_regime_lowers_target_motivation_more_without_safety() {
        let c = Constants::default();
        let kpi_unsafe = motivation_change(0.7, 1.0, 0.0, 0.0, 0.0, 0.0, &c);
        let kpi_safe = motivation_change(0.7, 1.0, 1.0, 0.0, 0.0, 0.0, &c);
        let impact = motivation_change(0.7, 0.0, 0.0, 0.0, 0.0, 0.0, &c);
        assert!(kpi_unsafe < kpi_safe && kpi_safe < impact);
        assert_eq!(impact, 0.0);
    }
}
