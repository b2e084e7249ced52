//! Transmission, *delivered → read → understood → believed*: the pure functions that carry a
//! product's salience, read and understood probabilities, and insight quality.
//!
//! One salience formula carries relevance, proximity, trust and overload (MODEL.md §2.5); keeping it
//! here, apart from the weekly loop, lets unit tests pin its shape (read probability rising in trust,
//! falling with overload).

use super::Constants;
use super::Levers;
use super::structure;

/// What a product is, for its relevance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An insight commissioned for a window, delivered before it.
    TimelyCommissioned,
    /// An unsolicited insight, or a commissioned one finished after its window.
    OtherInsight,
    Report,
    AdhocAnswer,
}

pub fn relevance(kind: Kind, c: &Constants) -> f64 {
    match kind {
        Kind::TimelyCommissioned | Kind::AdhocAnswer => 1.0,
        Kind::OtherInsight => c.relevance_unsolicited,
        Kind::Report => c.relevance_report,
    }
}

/// How close the producer sits to the unit; `relationship` ∈ [0,1] is how far working relationships
/// have been built since the last move or hire. Belonging (MODEL.md §9.4): 0.4 + 0.6·φ^β·r, φ the
/// time share in the unit, so a part-timer counts as a visitor.
pub fn proximity(levers: &Levers, relationship: f64, c: &Constants) -> f64 {
    let near = structure::belonging(structure::unit_time_share_of(levers), c);
    c.proximity_central + (1.0 - c.proximity_central) * near * relationship
}

/// Salience s = relevance × proximity × (floor + (1 − floor)·T), doubled by a translator, capped at 1.
/// An ad-hoc answer has s = 1.
pub fn salience(kind: Kind, proximity: f64, trust: f64, translated: bool, c: &Constants) -> f64 {
    if kind == Kind::AdhocAnswer {
        return 1.0;
    }
    let s = relevance(kind, c)
        * proximity
        * (c.trust_salience_floor + (1.0 - c.trust_salience_floor) * trust);
    if translated { (2.0 * s).min(1.0) } else { s }
}

/// Read probability p = s·min(1, attention / Σs over the unit's products this week).
pub fn read_probability(salience: f64, total_salience: f64, attention: f64) -> f64 {
    if total_salience <= 0.0 {
        return salience.min(1.0);
    }
    (salience * (attention / total_salience).min(1.0)).clamp(0.0, 1.0)
}

/// Understood with probability L + (1 − L)·comm, comm the best of the producer and translator.
pub fn understood_probability(literacy: f64, comm: f64) -> f64 {
    (literacy + (1.0 - literacy) * comm).clamp(0.0, 1.0)
}

/// Insight quality q = tech^0.4 · domain^0.2 · data_quality^0.3 · (0.5 + 0.5m)^0.1: multiplicative, so
/// skill and infrastructure are complements (Bresnahan, Brynjolfsson & Hitt 2002).
pub fn insight_quality(tech: f64, domain: f64, data_quality: f64, motivation: f64) -> f64 {
    tech.powf(0.4) * domain.powf(0.2) * data_quality.powf(0.3) * (0.5 + 0.5 * motivation).powf(0.1)
}

/// The noise SD of an insight's estimates: σ_min + (σ_max − σ_min)(1 − q).
pub fn insight_sigma(quality: f64, c: &Constants) -> f64 {
    c.sigma_min + (c.sigma_max - c.sigma_min) * (1.0 - quality)
}

/// The effort factor: low skill and poor data access make everything slower.
pub fn slowness(tech: f64, data_access: f64, c: &Constants) -> f64 {
    (1.0 + c.skill_slowdown * (1.0 - tech)) * (1.0 + (1.0 - data_access))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_probability_rises_in_trust_and_falls_with_overload() {
        let c = Constants::default();
        let low = salience(Kind::TimelyCommissioned, 1.0, 0.2, false, &c);
        let high = salience(Kind::TimelyCommissioned, 1.0, 0.8, false, &c);
        assert!(high > low);
        assert!(read_probability(high, 2.0, 3.0) > read_probability(low, 2.0, 3.0));
        // Overload: the same product among more salient competition is read less.
        assert!(read_probability(high, 10.0, 3.0) < read_probability(high, 2.0, 3.0));
        assert_eq!(read_probability(0.5, 2.0, 3.0), 0.5);
        assert!((read_probability(0.5, 6.0, 3.0) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn translators_double_salience_up_to_one() {
        let c = Constants::default();
        let s = salience(Kind::Report, 0.4, 0.5, false, &c);
        assert!((salience(Kind::Report, 0.4, 0.5, true, &c) - 2.0 * s).abs() < 1e-12);
        assert_eq!(salience(Kind::TimelyCommissioned, 1.0, 1.0, true, &c), 1.0);
        assert_eq!(salience(Kind::AdhocAnswer, 0.1, 0.0, false, &c), 1.0);
    }

    #[test]
    fn quality_is_complementary_in_skill_and_infrastructure() {
        // The gain from better data is larger for a skilled analyst (positive cross-difference).
        let gain_skilled =
            insight_quality(0.8, 0.5, 0.9, 0.7) - insight_quality(0.8, 0.5, 0.4, 0.7);
        let gain_unskilled =
            insight_quality(0.3, 0.5, 0.9, 0.7) - insight_quality(0.3, 0.5, 0.4, 0.7);
        assert!(gain_skilled > gain_unskilled);
        let c = Constants::default();
        assert!((insight_sigma(1.0, &c) - 0.3).abs() < 1e-12);
        assert!((insight_sigma(0.0, &c) - 1.5).abs() < 1e-12);
    }
}
