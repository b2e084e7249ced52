//! What each structure costs (MODEL.md §9.4), as pure functions of the structure, the analyst's
//! place in it and the constants: the weekly time lost to dual reporting, how far a part-timer
//! belongs to the unit, the isolation of few analysts in a unit (faster skill decay, less checking)
//! and the distance of analysts who do not know the unit (more effort).
//!
//! φ is an analyst's time share in the home unit (centralised 0, embedded 1, hub_and_spoke
//! 1 − hub_share); n_u is the number of analysts whose home is unit u. Kept apart from the weekly
//! loop so unit tests pin the forms.

use super::{Constants, Levers, Structure};

/// φ: the share of an analyst's week spent in the home unit.
pub fn unit_time_share(structure: Structure, hub_share: f64) -> f64 {
    match structure {
        Structure::Centralised => 0.0,
        Structure::Embedded => 1.0,
        Structure::HubAndSpoke => 1.0 - hub_share,
    }
}

/// φ of the levers in force.
pub fn unit_time_share_of(levers: &Levers) -> f64 {
    unit_time_share(levers.structure, levers.hub_share)
}

/// Dual reporting (hub_and_spoke only): the weekly overhead o = base + switch·4h(1 − h), taken before
/// ad-hoc work. The first term is two line managers and two sets of objectives (Galbraith 1971;
/// Davis & Lawrence 1977); the second the cost of switching places, largest at an even split
/// (attention residue, Leroy 2009).
pub fn dual_overhead(structure: Structure, hub_share: f64, c: &Constants) -> f64 {
    if structure != Structure::HubAndSpoke {
        return 0.0;
    }
    let h = hub_share;
    (c.dual_overhead_base + c.dual_overhead_switch * 4.0 * h * (1.0 - h)).clamp(0.0, 1.0)
}

/// Belonging: φ^β, the weight of an analyst's time in the unit in proximity and presence contact;
/// with β = 2 a part-timer is treated as a visitor (social identity, Ashforth & Mael 1989).
pub fn belonging(phi: f64, c: &Constants) -> f64 {
    // The default and the knock-out's exponents without `powf`: this is evaluated per analyst-week.
    let beta = c.belonging_exponent;
    if phi <= 0.0 {
        0.0
    } else if beta == 2.0 {
        phi * phi
    } else if beta == 1.0 {
        phi
    } else {
        phi.powf(beta)
    }
}

/// Isolation from peers: unused tech decays (1 + φ/n_u) times as fast (communities of practice,
/// Wenger 1998). `home_analysts` is n_u of the analyst's home unit (the analyst included).
pub fn isolation_decay_factor(phi: f64, home_analysts: f64) -> f64 {
    1.0 + phi / home_analysts.max(1.0)
}

/// The probability an insight carries an undetected material error:
/// base·(1 − catch·checked), doubled when the analyst works fast, with checked =
/// (1 − φ) + φ(1 − 1/n_u): time in the hub is checked, and so is work in a unit with peers.
pub fn error_probability(phi: f64, home_analysts: f64, fast: bool, c: &Constants) -> f64 {
    let checked = (1.0 - phi) + phi * (1.0 - 1.0 / home_analysts.max(1.0));
    let p = c.error_base * (1.0 - c.qa_catch * checked);
    let p = if fast { c.fast_error * p } else { p };
    p.clamp(0.0, 1.0)
}

/// Distance: ad-hoc and insight effort × (1 + distance·(1 − domain_u)), the context of unit u to be
/// learnt (Oliver et al. 2014).
pub fn distance_factor(domain: f64, c: &Constants) -> f64 {
    1.0 + c.distance_effort * (1.0 - domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_overhead_is_the_briefs_and_only_for_hub_and_spoke() {
        let c = Constants::default();
        let hub = |h| dual_overhead(Structure::HubAndSpoke, h, &c);
        assert!((hub(0.2) - 0.0784).abs() < 1e-12, "{}", hub(0.2));
        assert!((hub(0.5) - 0.10).abs() < 1e-12);
        assert!((hub(0.0) - 0.04).abs() < 1e-12);
        assert_eq!(dual_overhead(Structure::Embedded, 0.2, &c), 0.0);
        assert_eq!(dual_overhead(Structure::Centralised, 0.2, &c), 0.0);
    }

    #[test]
    fn belonging_treats_a_part_timer_as_a_visitor() {
        let c = Constants::default();
        assert_eq!(belonging(0.0, &c), 0.0);
        assert_eq!(belonging(1.0, &c), 1.0);
        assert!((belonging(0.8, &c) - 0.64).abs() < 1e-12);
        let linear = Constants {
            belonging_exponent: 1.0,
            ..Constants::default()
        };
        assert_eq!(belonging(0.8, &linear), 0.8);
    }

    #[test]
    fn isolation_speeds_decay_and_errors_for_few_analysts_in_a_unit() {
        let c = Constants::default();
        assert_eq!(isolation_decay_factor(0.0, 1.0), 1.0);
        assert_eq!(isolation_decay_factor(1.0, 1.0), 2.0);
        assert!((isolation_decay_factor(1.0, 3.0) - 4.0 / 3.0).abs() < 1e-12);
        // Centralised: everything is checked, 0.15·0.4.
        assert!((error_probability(0.0, 3.0, false, &c) - 0.06).abs() < 1e-12);
        // A lone embedded analyst: nothing is checked.
        assert!((error_probability(1.0, 1.0, false, &c) - 0.15).abs() < 1e-12);
        assert!((error_probability(1.0, 1.0, true, &c) - 0.30).abs() < 1e-12);
        // Three to a unit: two thirds checked.
        assert!((error_probability(1.0, 3.0, false, &c) - 0.09).abs() < 1e-12);
        let no_qa = Constants {
            qa_catch: 0.0,
            ..Constants::default()
        };
        assert_eq!(error_probability(0.0, 3.0, false, &no_qa), 0.15);
        assert_eq!(error_probability(1.0, 1.0, false, &no_qa), 0.15);
    }

    #[test]
    fn distance_weighs_on_analysts_who_do_not_know_the_unit() {
        let c = Constants::default();
        assert_eq!(distance_factor(1.0, &c), 1.0);
        assert!((distance_factor(0.0, &c) - 1.3).abs() < 1e-12);
        assert!((distance_factor(0.3, &c) - 1.21).abs() < 1e-12);
    }
}
