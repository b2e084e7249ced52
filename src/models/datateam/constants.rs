//! What the internal constants derive, and the robustness tests' perturbation of them.
//!
//! The constants themselves (the rates of the update rules, the starting state of the team and of
//! each hire) are declared once with the model's other parameters in `datateam/mod.rs`, group
//! `constant`: a scenario may set them, `describe` lists them, and the manifest records them.
//! The robustness tests draw a Latin hypercube over them (±50%) and check that the §6 patterns do
//! not hinge on one value; [`Constants::scaled`] applies such a draw.

use super::analysts::ACTIVITIES;
use super::{Constants, Knockouts, Mechanism, PARAMS};
use crate::engine::params::{Domain, Params, Value};

impl Default for Constants {
    /// The reference design's values.
    fn default() -> Self {
        Constants::defaults()
    }
}

impl Constants {
    /// How many constants there are: the hypercube's dimensions.
    pub fn count() -> usize {
        Constants::NAMES.len()
    }

    /// The reference constants with each multiplied by the matching factor (e.g. a Latin-hypercube
    /// row over [0.5, 1.5]), then brought back inside its declared domain (levels and shares to
    /// [0, 1]) and the joint constraints: σ_max ≥ σ_min, the initial split summing to 1.
    pub fn scaled(factors: &[f64]) -> Constants {
        let mut params = Params::defaults(PARAMS);
        for ((k, name), factor) in Constants::NAMES.iter().enumerate().zip(factors) {
            let spec = &PARAMS[Constants::FIRST + k];
            let Domain::Real { min, max } = spec.domain else {
                unreachable!("every constant is a real number")
            };
            let value = params.num(name) * factor;
            params.set(name, Value::Num(value.clamp(min, max)));
        }
        let mut c = Constants::read(&params);
        c.sigma_max = c.sigma_max.max(c.sigma_min);
        let split = c.initial_split_reports + c.initial_split_insight + c.initial_split_engagement;
        c.initial_split_reports /= split;
        c.initial_split_insight /= split;
        c.initial_split_engagement /= split;
        c
    }

    /// A shelf life in whole weeks (rounded, from 1 to 520): the inbox keeps one bucket per week,
    /// and after ten years a waiting product's salience is 0.8^520 of its first week's anyway.
    pub fn shelf_weeks(life: f64) -> usize {
        (life.round() as usize).clamp(1, 520)
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

    /// The reward estimate both modes of work (careful, fast) start from: the team-mean reward per
    /// full-time week, 1 for the appraised part (rewards are normalised by team means, whatever the
    /// regime) plus the intrinsic part at the initial motivation. Equal, so neither mode starts ahead,
    /// and at the level a mode's first observations average, so the first mode worked is not
    /// favoured for having been observed first.
    pub fn initial_care_reward(&self) -> f64 {
        1.0 + self.intrinsic_weight * self.initial_motivation
    }
}

impl Constants {
    /// The constants with the knock-outs that are a constant set to its neutral value applied;
    /// the other knock-outs are tested where their mechanism acts (`Team::off`).
    pub fn knocked_out(mut self, off: Knockouts) -> Constants {
        if off.contains(Mechanism::OutsideBusiness) {
            self.reading_outside = 0.0;
        }
        if off.contains(Mechanism::ShelfLife) {
            self.report_shelf_life = 1.0;
            self.insight_shelf_life = 1.0;
        }
        if off.contains(Mechanism::AdhocReading) {
            self.adhoc_read_cost = 0.0;
        }
        if off.contains(Mechanism::Shading) {
            self.shading = 0.0;
        }
        if off.contains(Mechanism::MotivationCrowding) {
            self.motivation_kpi = 0.0;
        }
        if off.contains(Mechanism::LiteracyGrowth) {
            self.literacy_rate = 0.0;
        }
        if off.contains(Mechanism::HubLearning) {
            self.tech_hub = 0.0;
        }
        // Trust (§9.2). Asymmetry first, so that a competence knock-out on top zeroes everything.
        if off.contains(Mechanism::TrustAsymmetry) {
            // Losses as large as gains, in both channels of competence trust.
            self.competence_loss = self.competence_gain;
            self.delivery_loss = self.delivery_gain;
        }
        if off.contains(Mechanism::RelationalDecay) {
            self.relational_half_life = f64::INFINITY;
        }
        if off.contains(Mechanism::RelationalBuilding) {
            self.relational_rate = 0.0;
        }
        if off.contains(Mechanism::VisibleDelivery) {
            self.delivery_gain = 0.0;
            self.delivery_loss = 0.0;
        }
        if off.contains(Mechanism::CompetenceTrust) {
            self.competence_gain = 0.0;
            self.competence_loss = 0.0;
            self.delivery_gain = 0.0;
            self.delivery_loss = 0.0;
        }
        // Evaluation (§9.3 ii); sparse evaluation itself is switched off in `run.rs` (both arms).
        if off.contains(Mechanism::TeamCoverage) {
            self.team_eval_lift = 0.0;
        }
        if off.contains(Mechanism::CareChoice) {
            // π ≡ 1: everyone starts careful and the re-plan never moves π.
            self.care_initial = 1.0;
            self.care_rate = 0.0;
        }
        if off.contains(Mechanism::KpiGap) {
            // Dashboards measure the outcome: no gap, no unit-level bias.
            self.kpi_gap = 0.0;
            self.report_bias = 0.0;
        }
        if off.contains(Mechanism::DualReporting) {
            self.dual_overhead_base = 0.0;
            self.dual_overhead_switch = 0.0;
        }
        if off.contains(Mechanism::Belonging) {
            // Linear in time share: presence counts as it is spent (v2).
            self.belonging_exponent = 1.0;
        }
        if off.contains(Mechanism::IsolationQa) {
            // No checking anywhere: every insight carries the unchecked error rate.
            self.qa_catch = 0.0;
        }
        if off.contains(Mechanism::Distance) {
            self.distance_effort = 0.0;
        }
        // `isolation_skills` is structural (the decay factor is 1): `Team::off` in feedback.
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Model;
    use crate::engine::params::Group;
    use crate::models::datateam::DataTeam;

    #[test]
    fn every_constant_is_declared_in_the_constant_group_and_read_in_order() {
        let specs = &PARAMS[Constants::FIRST..Constants::FIRST + Constants::count()];
        assert!(specs.iter().all(|s| s.group == Group::Constant && !s.schedulable));
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        assert_eq!(names, Constants::NAMES);
        let mut params = Params::defaults(PARAMS);
        params.set(Constants::softmax_gain, Value::Num(5.0));
        assert_eq!(Constants::read(&params).softmax_gain, 5.0);
        assert_eq!(Constants::default().softmax_gain, 3.0);
    }

    #[test]
    fn scaling_stays_in_the_domains_and_the_joint_constraints() {
        let c = Constants::scaled(&vec![1.5; Constants::count()]);
        assert_eq!(c.initial_relationship, 1.0, "a level is clamped to 1");
        assert_eq!(c.softmax_gain, 4.5);
        let split: f64 = c.initial_split().iter().sum();
        assert!((split - 1.0).abs() < 1e-12);
        let mut factors = vec![1.0; Constants::count()];
        let sigma = |name| Constants::NAMES.iter().position(|n| *n == name).unwrap();
        factors[sigma("sigma_min")] = 10.0;
        let c = Constants::scaled(&factors);
        assert_eq!(c.sigma_max, c.sigma_min);
        assert_eq!(Constants::scaled(&vec![1.0; Constants::count()]), Constants::default());
    }

    #[test]
    fn the_model_refuses_constants_that_break_a_joint_constraint() {
        let mut params = Params::defaults(PARAMS);
        params.set(Constants::sigma_min, Value::Num(2.0));
        assert!(DataTeam.check(&params).unwrap_err().contains("sigma_max"));
        let mut params = Params::defaults(PARAMS);
        params.set(Constants::initial_split_insight, Value::Num(0.6));
        assert!(DataTeam.check(&params).unwrap_err().contains("sum to 1"));
    }
}
