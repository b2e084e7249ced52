//! The internal constants of the update rules: fixed, named, documented in the ODD (Table 2), and
//! not scenario parameters (MODEL.md §0).
//!
//! They live in one struct so the robustness tests can draw a Latin hypercube over them (±50%) and
//! check that the §6 patterns do not hinge on one value. [`Constants::scaled`] applies such a draw.

use super::analysts::ACTIVITIES;

/// Every internal rate and starting value, with the value the reference design gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Constants {
    // Allocation: the reward estimates and the plan.
    /// EWMA rate of an analyst's reward estimate Q per observation.
    pub q_rate: f64,
    /// Inverse temperature of the softmax over Q.
    pub softmax_gain: f64,
    /// Weight of the new softmax in each 4-weekly re-plan (s ← (1 − w)s + w·softmax).
    pub plan_step: f64,
    /// Weight of the analyst's own seen uses (times motivation) in the reward: intrinsic motivation.
    pub intrinsic_weight: f64,
    /// Share of the leader's credit for a use that engagement in the unit earns.
    pub engagement_credit: f64,
    /// Share of uses the leader misses.
    pub credit_miss: f64,
    // Production.
    pub adhoc_effort: f64,
    pub report_effort: f64,
    /// Extra effort factor at zero tech: 1 + slowdown·(1 − tech).
    pub skill_slowdown: f64,
    pub sigma_min: f64,
    pub sigma_max: f64,
    pub report_noise: f64,
    /// Report bias SD = report_bias·(1.2 − data_quality).
    pub report_bias: f64,
    /// Shading probability at psych_safety 0.
    pub shading: f64,
    // Transmission.
    pub relevance_unsolicited: f64,
    pub relevance_report: f64,
    pub proximity_central: f64,
    /// Salience's trust floor: (floor + (1 − floor)·T).
    pub trust_salience_floor: f64,
    pub misread_noise: f64,
    pub translator_capacity: f64,
    // Feedback: trust.
    pub trust_gain_eval: f64,
    pub trust_loss_eval: f64,
    pub trust_z_tolerance: f64,
    pub trust_contact: f64,
    pub trust_unmet: f64,
    pub contact_per_answer: f64,
    /// Weeks a working relationship takes to build after a move or a hire.
    pub relationship_weeks: f64,
    // Feedback: literacy.
    pub literacy_rate: f64,
    pub literacy_decay: f64,
    pub literacy_floor: f64,
    pub translator_exposure: f64,
    // Feedback: skills.
    pub tech_insight: f64,
    pub tech_learning: f64,
    pub tech_hub: f64,
    pub dormant_boost: f64,
    pub tech_decay: f64,
    pub domain_gain: f64,
    pub domain_decay: f64,
    pub comm_gain: f64,
    pub comm_decay: f64,
    // Feedback: motivation and quits.
    pub motivation_rate: f64,
    pub motivation_kpi: f64,
    pub motivation_used: f64,
    pub motivation_unread: f64,
    pub motivation_shaded: f64,
    pub quit_motivation: f64,
    // Starting values: the state the initial team and each hire begin from (not rates, but fixed by
    // the design as much as the rates are, so the hypercube perturbs them too).
    /// The discretionary split an existing team starts from (and a hire or a change of role restarts
    /// from): reports, insight, extra engagement. `scaled` keeps the three summing to 1. The initial
    /// reward estimates are derived from it ([`Constants::initial_reward`]), not set on their own.
    pub initial_split_reports: f64,
    pub initial_split_insight: f64,
    pub initial_split_engagement: f64,
    /// Shape a = b of the Beta(a, a) behind the initial team's tech, 2·initial_tech·Beta(a, a)
    /// clamped to [0, 1]: larger is a more uniform team around `initial_tech`.
    pub initial_tech_shape: f64,
    /// The initial team's domain knowledge of its home unit and of every other unit.
    pub initial_domain_home: f64,
    pub initial_domain_other: f64,
    /// The initial team's communication skill: translators, analysts.
    pub initial_comm_translator: f64,
    pub initial_comm_analyst: f64,
    /// The initial team's motivation.
    pub initial_motivation: f64,
    /// How far the initial team's working relationships are built (1: fully, an established team).
    pub initial_relationship: f64,
    /// A hire's communication skill: translators, analysts (a hire starts with no domain knowledge,
    /// tech `hire_tech` and no working relationships).
    pub hire_comm_translator: f64,
    pub hire_comm_analyst: f64,
    /// A hire's motivation.
    pub hire_motivation: f64,
}

impl Default for Constants {
    fn default() -> Self {
        Constants {
            q_rate: 0.1,
            softmax_gain: 3.0,
            plan_step: 0.2,
            intrinsic_weight: 0.5,
            engagement_credit: 0.5,
            credit_miss: 0.3,
            adhoc_effort: 0.2,
            report_effort: 0.5,
            skill_slowdown: 0.5,
            sigma_min: 0.3,
            sigma_max: 1.5,
            report_noise: 1.5,
            report_bias: 0.5,
            shading: 0.6,
            relevance_unsolicited: 0.3,
            relevance_report: 0.15,
            proximity_central: 0.4,
            trust_salience_floor: 0.4,
            misread_noise: 1.0,
            translator_capacity: 6.0,
            trust_gain_eval: 0.05,
            trust_loss_eval: 0.15,
            trust_z_tolerance: 1.5,
            trust_contact: 0.01,
            trust_unmet: 0.005,
            contact_per_answer: 0.1,
            relationship_weeks: 26.0,
            literacy_rate: 0.002,
            literacy_decay: 0.002,
            literacy_floor: 0.1,
            translator_exposure: 3.0,
            tech_insight: 0.01,
            tech_learning: 0.02,
            tech_hub: 0.02,
            dormant_boost: 2.0,
            tech_decay: 0.003,
            domain_gain: 0.02,
            domain_decay: 0.002,
            comm_gain: 0.01,
            comm_decay: 0.001,
            motivation_rate: 0.02,
            motivation_kpi: 0.3,
            motivation_used: 0.02,
            motivation_unread: 0.005,
            motivation_shaded: 0.01,
            quit_motivation: 2.0,
            initial_split_reports: 0.3,
            initial_split_insight: 0.5,
            initial_split_engagement: 0.2,
            initial_tech_shape: 4.0,
            initial_domain_home: 0.3,
            initial_domain_other: 0.05,
            initial_comm_translator: 0.7,
            initial_comm_analyst: 0.4,
            initial_motivation: 0.7,
            initial_relationship: 1.0,
            hire_comm_translator: 0.6,
            hire_comm_analyst: 0.3,
            hire_motivation: 0.8,
        }
    }
}

impl Constants {
    /// Mutable access to every constant by name, in declaration order (for perturbation and docs).
    pub fn fields_mut(&mut self) -> Vec<(&'static str, &mut f64)> {
        vec![
            ("q_rate", &mut self.q_rate),
            ("softmax_gain", &mut self.softmax_gain),
            ("plan_step", &mut self.plan_step),
            ("intrinsic_weight", &mut self.intrinsic_weight),
            ("engagement_credit", &mut self.engagement_credit),
            ("credit_miss", &mut self.credit_miss),
            ("adhoc_effort", &mut self.adhoc_effort),
            ("report_effort", &mut self.report_effort),
            ("skill_slowdown", &mut self.skill_slowdown),
            ("sigma_min", &mut self.sigma_min),
            ("sigma_max", &mut self.sigma_max),
            ("report_noise", &mut self.report_noise),
            ("report_bias", &mut self.report_bias),
            ("shading", &mut self.shading),
            ("relevance_unsolicited", &mut self.relevance_unsolicited),
            ("relevance_report", &mut self.relevance_report),
            ("proximity_central", &mut self.proximity_central),
            ("trust_salience_floor", &mut self.trust_salience_floor),
            ("misread_noise", &mut self.misread_noise),
            ("translator_capacity", &mut self.translator_capacity),
            ("trust_gain_eval", &mut self.trust_gain_eval),
            ("trust_loss_eval", &mut self.trust_loss_eval),
            ("trust_z_tolerance", &mut self.trust_z_tolerance),
            ("trust_contact", &mut self.trust_contact),
            ("trust_unmet", &mut self.trust_unmet),
            ("contact_per_answer", &mut self.contact_per_answer),
            ("relationship_weeks", &mut self.relationship_weeks),
            ("literacy_rate", &mut self.literacy_rate),
            ("literacy_decay", &mut self.literacy_decay),
            ("literacy_floor", &mut self.literacy_floor),
            ("translator_exposure", &mut self.translator_exposure),
            ("tech_insight", &mut self.tech_insight),
            ("tech_learning", &mut self.tech_learning),
            ("tech_hub", &mut self.tech_hub),
            ("dormant_boost", &mut self.dormant_boost),
            ("tech_decay", &mut self.tech_decay),
            ("domain_gain", &mut self.domain_gain),
            ("domain_decay", &mut self.domain_decay),
            ("comm_gain", &mut self.comm_gain),
            ("comm_decay", &mut self.comm_decay),
            ("motivation_rate", &mut self.motivation_rate),
            ("motivation_kpi", &mut self.motivation_kpi),
            ("motivation_used", &mut self.motivation_used),
            ("motivation_unread", &mut self.motivation_unread),
            ("motivation_shaded", &mut self.motivation_shaded),
            ("quit_motivation", &mut self.quit_motivation),
            ("initial_split_reports", &mut self.initial_split_reports),
            ("initial_split_insight", &mut self.initial_split_insight),
            (
                "initial_split_engagement",
                &mut self.initial_split_engagement,
            ),
            ("initial_tech_shape", &mut self.initial_tech_shape),
            ("initial_domain_home", &mut self.initial_domain_home),
            ("initial_domain_other", &mut self.initial_domain_other),
            ("initial_comm_translator", &mut self.initial_comm_translator),
            ("initial_comm_analyst", &mut self.initial_comm_analyst),
            ("initial_motivation", &mut self.initial_motivation),
            ("initial_relationship", &mut self.initial_relationship),
            ("hire_comm_translator", &mut self.hire_comm_translator),
            ("hire_comm_analyst", &mut self.hire_comm_analyst),
            ("hire_motivation", &mut self.hire_motivation),
        ]
    }

    /// The constants with each multiplied by the matching factor (e.g. a Latin-hypercube row over
    /// [0.5, 1.5]), then clamped where a value has a hard range (probabilities, σ_min < σ_max).
    pub fn scaled(&self, factors: &[f64]) -> Constants {
        let mut c = self.clone();
        for ((_, value), factor) in c.fields_mut().into_iter().zip(factors) {
            *value *= factor;
        }
        c.credit_miss = c.credit_miss.clamp(0.0, 1.0);
        c.shading = c.shading.clamp(0.0, 1.0);
        c.relevance_unsolicited = c.relevance_unsolicited.clamp(0.0, 1.0);
        c.relevance_report = c.relevance_report.clamp(0.0, 1.0);
        c.proximity_central = c.proximity_central.clamp(0.0, 1.0);
        c.trust_salience_floor = c.trust_salience_floor.clamp(0.0, 1.0);
        c.literacy_floor = c.literacy_floor.clamp(0.0, 1.0);
        c.plan_step = c.plan_step.clamp(0.0, 1.0);
        c.q_rate = c.q_rate.clamp(0.0, 1.0);
        c.sigma_max = c.sigma_max.max(c.sigma_min);
        // Starting skills, motivation and relationships are levels in [0, 1]; the split is shares.
        for level in [
            &mut c.initial_domain_home,
            &mut c.initial_domain_other,
            &mut c.initial_comm_translator,
            &mut c.initial_comm_analyst,
            &mut c.initial_motivation,
            &mut c.initial_relationship,
            &mut c.hire_comm_translator,
            &mut c.hire_comm_analyst,
            &mut c.hire_motivation,
        ] {
            *level = level.clamp(0.0, 1.0);
        }
        let split = c.initial_split_reports + c.initial_split_insight + c.initial_split_engagement;
        c.initial_split_reports /= split;
        c.initial_split_insight /= split;
        c.initial_split_engagement /= split;
        c
    }

    /// The split an existing team starts from: reports, insight, extra engagement.
    pub fn initial_split(&self) -> [f64; ACTIVITIES] {
        [
            self.initial_split_reports,
            self.initial_split_insight,
            self.initial_split_engagement,
        ]
    }

    /// The reward estimates that make the initial split the re-plan's softmax fixed point:
    /// Q = ln(s)/gain, so a team starts at rest under no regime in particular.
    pub fn initial_reward(&self) -> [f64; ACTIVITIES] {
        self.initial_split().map(|s| s.ln() / self.softmax_gain)
    }

    pub fn count() -> usize {
        Constants::default().fields_mut().len()
    }
}
