//! The internal constants of the update rules: fixed, named, documented in the ODD (Table 2), and
//! not scenario parameters (MODEL.md §0).
//!
//! They live in one struct so the robustness tests can draw a Latin hypercube over them (±50%) and
//! check that the §6 patterns do not hinge on one value. [`Constants::scaled`] applies such a draw.

/// Every internal rate, with the value the reference design gives it.
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
        c
    }

    pub fn count() -> usize {
        Constants::default().fields_mut().len()
    }
}
