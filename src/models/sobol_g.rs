//! `sobol_g`: Sobol's g-function, a test model for sensitivity analysis.
//!
//! y = Π_i (|4 x_i − 2| + a_i) / (1 + a_i) (+ noise · z), eight inputs uniform on [0, 1]; the smaller
//! a_i, the more x_i matters (Saltelli & Sobol' 1995). Its first-order and total indices are known in
//! closed form: V_i = 1 / (3 (1 + a_i)²), V = Π (1 + V_i) − 1. The a_i are settable constants
//! (default 0, 1, 4.5, 9, 99, 99, 99, 99); `noise` adds a standard normal draw from the run's seed.

use crate::engine::params::{MetricSpec, ParamSpec, Params};

const SOURCE: &str = "Saltelli & Sobol' (1995), Reliab. Eng. Syst. Saf. 50:225-239";

const fn input(meaning: &'static str) -> ParamSpec {
    ParamSpec::real(0.5, 0.0, 1.0, "-", meaning).source(SOURCE)
}

const fn coefficient(default: f64) -> ParamSpec {
    ParamSpec::real(default, 0.0, 1e9, "-", "a_i: the smaller, the more x_i matters")
        .source(SOURCE)
        .constant()
        .explore(0.0, 99.0)
}

crate::declare_params! {
    static PARAMS;
    /// The inputs, the noise and the coefficients.
    pub struct Inputs {
        x1: f64 = input("input 1, uniform on [0, 1]").labelled("Input x1"),
        x2: f64 = input("input 2").labelled("Input x2"),
        x3: f64 = input("input 3").labelled("Input x3"),
        x4: f64 = input("input 4").labelled("Input x4"),
        x5: f64 = input("input 5").labelled("Input x5"),
        x6: f64 = input("input 6").labelled("Input x6"),
        x7: f64 = input("input 7").labelled("Input x7"),
        x8: f64 = input("input 8").labelled("Input x8"),
        noise: f64 = ParamSpec::real(0.0, 0.0, 1e6, "-",
            "standard deviation of additive normal noise drawn from the run's seed (0: deterministic)").labelled("Noise SD"),
        a1: f64 = coefficient(0.0).labelled("Coefficient a1"),
        a2: f64 = coefficient(1.0).labelled("Coefficient a2"),
        a3: f64 = coefficient(4.5).labelled("Coefficient a3"),
        a4: f64 = coefficient(9.0).labelled("Coefficient a4"),
        a5: f64 = coefficient(99.0).labelled("Coefficient a5"),
        a6: f64 = coefficient(99.0).labelled("Coefficient a6"),
        a7: f64 = coefficient(99.0).labelled("Coefficient a7"),
        a8: f64 = coefficient(99.0).labelled("Coefficient a8"),
    }
}

crate::declare_metrics! {
    static METRICS;
    /// The function's value.
    pub struct Metrics {
        y = MetricSpec::new("-", "prod_i (|4 x_i - 2| + a_i) / (1 + a_i), plus noise").headline().labelled("Function value y").unit_meaning("a pure number: the test function has no unit"),
    }
}

/// The model's declaration.
pub struct SobolG;

super::ishigami::test_function!(
    SobolG,
    "sobol_g",
    "[test function] Sobol's g-function of 8 inputs (a_i settable) with optional noise, for checking sensitivity analysis",
    value
);

/// The function's value, plus `noise` times `z`.
fn value(params: &Params, z: f64) -> f64 {
    let p = Inputs::read(params);
    let x = [p.x1, p.x2, p.x3, p.x4, p.x5, p.x6, p.x7, p.x8];
    let a = [p.a1, p.a2, p.a3, p.a4, p.a5, p.a6, p.a7, p.a8];
    let clean: f64 = x
        .iter()
        .zip(&a)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product();
    clean + p.noise * z
}
