//! The engine every model runs on: the [`Model`] trait, run seeding, and the parallel executor.
//!
//! The executor never knows which model it runs; a model never knows how many threads there are or
//! which other runs exist. A run's result depends only on (model, parameters, master seed, replicate).

pub mod executor;
pub mod normal;
pub mod params;
pub mod rng;

use params::{MetricSpec, ParamSpec, Params, StopRule, Value};

/// A parameter change applied at the start of tick `at` (a change programme).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledChange {
    pub at: u64,
    pub set: Vec<(&'static str, Value)>,
}

/// What the engine asks of a run beyond its parameters.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings<'a> {
    /// The model's stopping rule to apply, if the scenario names one.
    pub stop: Option<&'static str>,
    /// The period cap.
    pub ticks: u64,
    /// Changes to apply mid-run, sorted by `at`.
    pub schedule: &'a [ScheduledChange],
}

/// What one step reports back to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Continue,
    /// The model's stopping rule holds: the run ends after this tick.
    Stop,
}

/// A model: its declarations, and a constructor for one run.
pub trait Model: Send + Sync {
    fn name(&self) -> &'static str;
    /// One line for `orgsim models`.
    fn summary(&self) -> &'static str;
    /// Longer notes printed by `orgsim describe` (sources, modes, costs).
    fn notes(&self) -> &'static str {
        ""
    }
    fn params(&self) -> &'static [ParamSpec];
    fn metrics(&self) -> &'static [MetricSpec];
    fn stop_rules(&self) -> &'static [StopRule] {
        &[]
    }
    /// What one tick stands for ("week", "period"), for axis labels and `describe`.
    fn tick_unit(&self) -> &'static str {
        "tick"
    }
    /// The horizon used when a scenario does not set `ticks`.
    fn default_ticks(&self) -> u64;
    /// Constraints between parameters that a per-parameter range cannot express.
    fn check(&self, _params: &Params) -> Result<(), String> {
        Ok(())
    }
    /// Constraints on a scheduled change that the parameters in force after it cannot show: which
    /// parameters may change given those in force `before` it (a mode set at the start, say).
    /// [`Model::check`] is applied to the parameters after each change as well.
    fn check_change(&self, _before: &Params, _set: &[(&'static str, Value)]) -> Result<(), String> {
        Ok(())
    }
    /// The metrics the model reports for each organisational unit of a run, for the opt-in per-unit
    /// output (`units.csv`). None by default: such a model refuses `per_unit`.
    fn unit_metrics(&self) -> &'static [MetricSpec] {
        &[]
    }
    /// How many units a run with these parameters has: the per-unit output's rows per run.
    fn unit_count(&self, _params: &Params) -> usize {
        0
    }
    /// Builds one run. `seed` is the run's seed, derived from (master seed, replicate) only.
    fn build(&self, params: &Params, seed: u64, settings: &RunSettings) -> Box<dyn Simulation>;
}

/// One run in progress.
pub trait Simulation {
    /// Advances one tick.
    fn step(&mut self) -> Step;
    /// Writes the current value of every declared metric, in declaration order.
    fn observe(&self, out: &mut [f64]);
    /// Writes the current value of every per-unit metric of every unit, unit by unit:
    /// `out[u * k + j]` is metric `j` of unit `u`, with `k = unit_metrics().len()` and
    /// `unit_count(params)` units. Asked only when the per-unit output is on; a model without
    /// per-unit metrics writes nothing.
    fn observe_units(&self, _out: &mut [f64]) {}
}

/// Looks a metric up by name in a model's declarations.
pub fn metric_index(model: &dyn Model, name: &str) -> Option<usize> {
    model.metrics().iter().position(|m| m.name == name)
}
