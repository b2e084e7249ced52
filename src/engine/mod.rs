//! The engine every model runs on: the [`Model`] trait, run seeding, and the parallel executor.
//!
//! The executor never knows which model it runs; a model never knows how many threads there are or
//! which other runs exist. A run's result depends only on (model, parameters, master seed, replicate).

pub mod adaptive;
pub mod executor;
pub mod normal;
pub mod params;
pub mod rng;

use std::borrow::Cow;

use params::{MetricSpec, ParamSpec, Params, StopRule, Value};

/// A parameter change applied at the start of tick `at` (a change programme).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledChange {
    pub at: u64,
    pub set: Vec<(&'static str, Value)>,
}

/// What the engine tells a run when it builds it, beyond its parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunSettings<'a> {
    /// The model's stopping rule to apply, if the scenario names one (one of
    /// [`Model::stop_rules`]); the model reports it holds by returning [`Step::Stop`].
    pub stop: Option<StopRule>,
    /// The changes the engine will apply mid-run, sorted by `at`, for a model that must prepare for them. The model never applies them:
    /// the engine does, through [`Simulation::reconfigure`], at the start of their tick.
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
    /// What the model leaves out, in one or two sentences for the report's reader, and where the
    /// model is described in full (a document in the repository, or a reference).
    fn leaves_out(&self) -> (&'static str, &'static str) {
        ("", "")
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

/// One run in progress. The engine owns time: it applies scheduled changes, advances the clock and
/// decides when the run ends; the model says what one tick does.
pub trait Simulation {
    /// Advances one tick.
    fn step(&mut self) -> Step;
    /// Applies a scheduled change at the start of tick `tick`, before that tick's step: `params` are
    /// the parameters in force after it, `changed` what it set (only parameters the model declares
    /// schedulable). A model without schedulable parameters is never asked.
    fn reconfigure(&mut self, _tick: u64, _params: &Params, _changed: &[(&'static str, Value)]) {
        unreachable!("a model with schedulable parameters implements reconfigure")
    }
    /// Writes the current value of every declared metric, in declaration order.
    fn observe(&self, out: &mut [f64]);
    /// Writes the current value of every per-unit metric of every unit, unit by unit:
    /// `out[u * k + j]` is metric `j` of unit `u`, with `k = unit_metrics().len()` and
    /// `unit_count(params)` units. Asked only when the per-unit output is on; a model without
    /// per-unit metrics writes nothing.
    fn observe_units(&self, _out: &mut [f64]) {}
}

/// Looks a metric up by name in a model's declarations (for names a user typed).
pub fn metric_index(model: &dyn Model, name: &str) -> Option<usize> {
    model.metrics().iter().position(|m| m.name == name)
}

/// Why a point's parameters, or one of its scheduled changes, break the model's constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// The change at fault (an index into the schedule), or `None` for the starting parameters.
    pub change: Option<usize>,
    /// Whether the parameters in force after the change break [`Model::check`] (else the change
    /// itself is refused).
    pub after: bool,
    pub message: String,
}

/// Checks a point as the engine will run it: the starting parameters, then each scheduled change in
/// order (only schedulable parameters; [`Model::check_change`] given those in force before it) and
/// the parameters in force after it ([`Model::check`]).
pub fn check_point(
    model: &dyn Model,
    params: &Params,
    schedule: &[ScheduledChange],
) -> Result<(), Broken> {
    let broken = |change, after, message| Broken {
        change,
        after,
        message,
    };
    model.check(params).map_err(|m| broken(None, false, m))?;
    let mut in_force = params.clone();
    for (i, change) in schedule.iter().enumerate() {
        for (name, _) in &change.set {
            let spec = model.params().iter().find(|s| s.name == *name);
            if !spec.is_some_and(|s| s.schedulable) {
                let why = format!("`{name}` cannot change mid-run");
                return Err(broken(Some(i), false, why));
            }
        }
        model
            .check_change(&in_force, &change.set)
            .map_err(|m| broken(Some(i), false, m))?;
        for (name, value) in &change.set {
            in_force.set(name, value.clone());
        }
        model
            .check(&in_force)
            .map_err(|m| broken(Some(i), true, m))?;
    }
    Ok(())
}

/// A run's clock: applies the scheduled changes at the start of their tick, then steps. The
/// executor drives every run through it; tests that inspect a model's state drive one directly.
#[derive(Debug, Clone)]
pub struct Clock<'a> {
    tick: u64,
    /// Borrowed until the first change: a run without a schedule copies nothing.
    params: Cow<'a, Params>,
    schedule: &'a [ScheduledChange],
    next_change: usize,
}

impl<'a> Clock<'a> {
    /// A clock at tick 0 for a run built from `params`, with `schedule` sorted by `at`.
    pub fn new(params: &'a Params, schedule: &'a [ScheduledChange]) -> Self {
        debug_assert!(schedule.is_sorted_by_key(|c| c.at));
        Clock {
            tick: 0,
            params: Cow::Borrowed(params),
            schedule,
            next_change: 0,
        }
    }

    /// The last tick stepped (0 before the first).
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// The parameters in force.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Applies the changes due at the next tick, one by one in order, then steps it.
    pub fn advance<S: Simulation + ?Sized>(&mut self, sim: &mut S) -> Step {
        self.tick += 1;
        while let Some(change) = self.schedule.get(self.next_change) {
            if change.at > self.tick {
                break;
            }
            let params = self.params.to_mut();
            for (name, value) in &change.set {
                params.set(name, value.clone());
            }
            sim.reconfigure(self.tick, &self.params, &change.set);
            self.next_change += 1;
        }
        sim.step()
    }
}
