//! `ishigami`: the Ishigami–Homma test function, a test model for sensitivity analysis.
//!
//! y = sin x1 + a sin² x2 + b x3⁴ sin x1 (+ noise · z), each x_i uniform on [−π, π], a = 7,
//! b = 0.1 (Ishigami & Homma 1990). Its variance decomposition is known in closed form
//! (docs/outputs-and-analysis.md, "Sensitivity analysis"), so a Sobol design on it checks the
//! estimators. One tick; `noise` adds a standard normal draw from the run's seed times `noise`, so
//! that the seed-noise correction can be checked too.

use std::f64::consts::PI;

use crate::engine::params::{MetricSpec, ParamSpec, Params};
use crate::engine::{Simulation, Step};

const SOURCE: &str = "Ishigami & Homma (1990), Proc. ISUMA '90, 398-403";

const fn input(meaning: &'static str) -> ParamSpec {
    ParamSpec::real(0.0, -PI, PI, "-", meaning).source(SOURCE)
}

crate::declare_params! {
    static PARAMS;
    /// The inputs and the test function's constants.
    pub struct Inputs {
        x1: f64 = input("first input, uniform on [-pi, pi] in the standard problem").labelled("Input x1"),
        x2: f64 = input("second input").labelled("Input x2"),
        x3: f64 = input("third input (acts only through its interaction with x1)").labelled("Input x3"),
        noise: f64 = ParamSpec::real(0.0, 0.0, 1e6, "-",
            "standard deviation of additive normal noise drawn from the run's seed (0: deterministic)").labelled("Noise SD"),
        a: f64 = ParamSpec::real(7.0, -1e6, 1e6, "-", "the coefficient a (7 in the standard problem)")
            .source(SOURCE).constant().labelled("Coefficient a"),
        b: f64 = ParamSpec::real(0.1, -1e6, 1e6, "-", "the coefficient b (0.1 in the standard problem)")
            .source(SOURCE).constant().labelled("Coefficient b"),
    }
}

crate::declare_metrics! {
    static METRICS;
    /// The function's value.
    pub struct Metrics {
        y = MetricSpec::new("-", "sin x1 + a sin^2 x2 + b x3^4 sin x1, plus noise").headline().labelled("Function value y").unit_meaning("a pure number: the test function has no unit"),
    }
}

/// The model's declaration.
pub struct Ishigami;

/// Declares a one-tick test function's [`Model`]: `$value(params, z)` is its value given a standard
/// normal draw z from the run's seed (for the additive noise). The module declares `PARAMS` and
/// `METRICS`.
macro_rules! test_function {
    ($model:ident, $name:literal, $summary:literal, $value:path) => {
        impl $crate::engine::Model for $model {
            fn name(&self) -> &'static str {
                $name
            }
            fn summary(&self) -> &'static str {
                $summary
            }
            fn params(&self) -> &'static [ParamSpec] {
                PARAMS
            }
            fn metrics(&self) -> &'static [MetricSpec] {
                METRICS
            }
            fn default_ticks(&self) -> u64 {
                1
            }
            fn build(
                &self,
                params: &Params,
                seed: u64,
                _settings: &$crate::engine::RunSettings,
            ) -> Box<dyn $crate::engine::Simulation> {
                let z = $crate::engine::normal::standard_normal(&mut $crate::engine::rng::stream(seed, 0));
                Box::new($crate::models::ishigami::Value($value(params, z)))
            }
        }
    };
}
pub(crate) use test_function;

test_function!(
    Ishigami,
    "ishigami",
    "[test function] Ishigami-Homma function (a = 7, b = 0.1) with optional noise, for checking sensitivity analysis",
    value
);

/// The function's value, plus `noise` times `z`.
fn value(params: &Params, z: f64) -> f64 {
    let p = Inputs::read(params);
    p.x1.sin() + p.a * p.x2.sin().powi(2) + p.b * p.x3.powi(4) * p.x1.sin() + p.noise * z
}

/// A run of a test function: its value, known from the start.
pub struct Value(pub f64);

impl Simulation for Value {
    fn step(&mut self) -> Step {
        Step::Stop
    }
    fn observe(&self, out: &mut [f64]) {
        Metrics { y: self.0 }.write(out);
    }
}
