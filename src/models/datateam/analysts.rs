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

/// How an analyst works in a planning period (MODEL.md §9.3 (i)): the index of the reward estimates.
pub const CAREFUL: usize = 0;
pub const FAST: usize = 1;
pub const MODES: usize = 2;

/// An insight in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Project {
    pub problem: usize,
    /// Effort left, in full-time weeks of a top analyst with perfect access.
    pub remaining: f64,
    /// For commissioned work: the window count of the problem it was commissioned before.
    pub for_window: Option<u32>,
    /// Progress made while working fast (same units as `remaining`): the product's fast share is
    /// this over all progress made.
    pub fast_work: f64,
}

impl Project {
    /// A project not yet worked on, needing `effort`.
    pub fn new(problem: usize, effort: f64, for_window: Option<u32>) -> Project {
        Project {
            problem,
            remaining: effort,
            for_window,
            fast_work: 0.0,
        }
    }
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
    /// Works carefully this planning period, else fast (MODEL.md §9.3 (i)): every product takes
    /// `fast_effort` of the effort, insight quality is `fast_quality` times lower, report noise
    /// `fast_report_noise` times higher and errors `fast_error` times likelier (§9.4).
    pub careful: bool,
    /// π: the probability of working carefully in a period, re-planned with the split.
    pub care: f64,
    /// Reward estimates per full-time week of careful and of fast work ([`CAREFUL`], [`FAST`]).
    pub care_reward: [f64; MODES],
    /// Per mode: discretionary time, counted outputs, credited and seen uses not yet turned into
    /// its reward estimate. A mode's are kept until it has worked enough time to be judged, so late
    /// credit for a product reaches the mode it was made in even when the analyst has switched.
    pub mode_time: [f64; MODES],
    pub mode_counts: [f64; MODES],
    pub mode_credited: [f64; MODES],
    pub mode_seen: [f64; MODES],
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
            careful: true,
            care: 1.0,
            care_reward: [0.0; MODES],
            mode_time: [0.0; MODES],
            mode_counts: [0.0; MODES],
            mode_credited: [0.0; MODES],
            mode_seen: [0.0; MODES],
            time: [0.0; 5],
            week_used: 0.0,
            week_unread: 0.0,
            week_shaded: 0.0,
        }
    }

    /// Starts the post's holder afresh in its role (a hire, or a change of role): a new generation,
    /// so late credit for a predecessor's products never arrives; no working relationships yet; the
    /// time split `plan` with its reward estimates; care `care` with equal reward estimates
    /// `care_reward` for both modes, working carefully iff `careful`; an empty appraisal period.
    pub fn start_afresh(
        &mut self,
        plan: [f64; ACTIVITIES],
        reward: [f64; ACTIVITIES],
        care: f64,
        care_reward: f64,
        careful: bool,
    ) {
        self.care = care;
        self.care_reward = [care_reward; MODES];
        self.careful = careful;
        self.mode_time = [0.0; MODES];
        self.mode_counts = [0.0; MODES];
        self.mode_credited = [0.0; MODES];
        self.mode_seen = [0.0; MODES];
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

    /// This period's mode: [`CAREFUL`] or [`FAST`].
    pub fn mode(&self) -> usize {
        if self.careful { CAREFUL } else { FAST }
    }

    /// The effort factor of this period's mode: 1 careful, `fast_effort` fast.
    pub fn care_effort(&self, c: &Constants) -> f64 {
        // Whether an analyst works carefully is a random draw per period, which a branch predictor
        // cannot learn: a select, not a branch.
        std::hint::select_unpredictable(self.careful, 1.0, c.fast_effort)
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

/// The re-planned probability of working carefully: π ← (1 − r)π + r / (1 + e^{−g(Q_c − Q_f)})
/// (MODEL.md §9.3 (i)), r = `care_rate`, g = `care_gain`.
pub fn care_update(care: f64, q_careful: f64, q_fast: f64, c: &Constants) -> f64 {
    let logistic = 1.0 / (1.0 + (-c.care_gain * (q_careful - q_fast)).exp());
    (1.0 - c.care_rate) * care + c.care_rate * logistic
}

/// The pacing floor of a commission (MODEL.md §9.3 (i)): the time a week it needs to be done a week
/// before its window, f = min(avail, E_rem / max(1, w − 1)), with `avail` the week's time left after
/// ad-hoc and learning, `effort_left` the time it still needs at this week's speed and
/// `weeks_to_window` w (0 once the window has passed).
pub fn pacing_floor(avail: f64, effort_left: f64, weeks_to_window: u32) -> f64 {
    let weeks = weeks_to_window.saturating_sub(1).max(1) as f64;
    avail.min(effort_left / weeks)
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
    fn care_moves_toward_the_better_paid_mode_and_rests_when_they_pay_alike() {
        let c = Constants::default();
        // Equal rewards: the logistic is 1/2, so π moves a fifth of the way to 1/2.
        assert!((care_update(0.5, 1.0, 1.0, &c) - 0.5).abs() < 1e-15);
        assert!((care_update(1.0, 0.3, 0.3, &c) - 0.9).abs() < 1e-12);
        // Fast paid 1/0.6 times careful (a KPI regime's counts): π settles at 1/(1 + e^{1.5}).
        let (careful, fast) = (0.75, 0.75 / 0.6);
        let mut care = 0.5;
        for _ in 0..200 {
            care = care_update(care, careful, fast, &c);
        }
        let rest = 1.0 / (1.0 + (3.0f64 * 0.5).exp());
        assert!((care - rest).abs() < 1e-9, "{care} vs {rest}");
        assert!(care_update(0.5, 2.0, 1.0, &c) > 0.5);
        // Knocked out (care_choice): π stays 1.
        let off = Constants {
            care_rate: 0.0,
            ..c.clone()
        };
        assert_eq!(care_update(1.0, 0.0, 5.0, &off), 1.0);
    }

    #[test]
    fn pacing_floor_spreads_the_work_to_finish_a_week_early() {
        // 6 weeks of work, 7 weeks to the window: 1 a week, capped at the time available.
        assert_eq!(pacing_floor(0.8, 6.0, 7), 0.8);
        assert!((pacing_floor(0.8, 3.0, 7) - 0.5).abs() < 1e-15);
        // Far from the window the floor is small: the split decides.
        assert!((pacing_floor(0.8, 1.1, 12) - 0.1).abs() < 1e-15);
        // In the last weeks, and once the window has passed, the whole remaining effort.
        assert_eq!(pacing_floor(0.8, 0.3, 2), 0.3);
        assert_eq!(pacing_floor(0.8, 0.3, 1), 0.3);
        assert_eq!(pacing_floor(0.8, 0.3, 0), 0.3);
        assert_eq!(pacing_floor(0.8, 5.0, 0), 0.8);
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
