//! The engine owns time: every parameter a model marks schedulable changes a run when a schedule
//! changes it mid-run, in every model; a parameter not marked is refused.

use orgsim::engine::executor::{Plan, Point, run_one};
use orgsim::engine::params::{Default, Domain, ParamSpec, Params, Value};
use orgsim::engine::{Model, ScheduledChange, check_point};
use orgsim::models;

/// The change at tick 10 happens inside the run and long before its end.
const AT: u64 = 10;

/// Candidate values for a schedule of `spec`, other than `current`: the ends and middle of the
/// range a design explores, or every other choice.
fn other_values(spec: &ParamSpec, current: Option<&Value>) -> Vec<Value> {
    let candidates: Vec<Value> = match spec.domain {
        Domain::Choice(names) => names.iter().map(|n| Value::Text(n.to_string())).collect(),
        // One name at a time, and none.
        Domain::Set(names) => std::iter::once("")
            .chain(names.iter().copied())
            .map(|n| Value::Text(n.to_string()))
            .collect(),
        _ => {
            let (low, high) = spec.explore_range().expect("a bounded numeric range");
            let mut values = vec![low, high, (low + high) / 2.0];
            if let Domain::Int { .. } = spec.domain {
                values = values.into_iter().map(f64::round).collect();
            }
            values.into_iter().map(Value::Num).collect()
        }
    };
    candidates
        .into_iter()
        .filter(|v| Some(v) != current)
        .collect()
}

/// The starting points a schedule of a parameter may need, tried in order until one shows an
/// effect: the defaults; the defaults with each optional (unset) parameter switched on, which opens a
/// mode (the data-team model's budget); the defaults with each other parameter moved, which opens a
/// group a rate applies to (March's fast group exists only with `fast_share` > 0).
/// Switched-on parameters start from the middle of their range.
fn starting_points(model: &dyn Model) -> Vec<Params> {
    let defaults = Params::defaults(model.params());
    let mut starts = vec![defaults.clone()];
    let unset_first = model
        .params()
        .iter()
        .filter(|s| s.default == Default::Unset)
        .chain(
            model
                .params()
                .iter()
                .filter(|s| s.default != Default::Unset),
        );
    for spec in unset_first {
        let mut values = other_values(spec, defaults.get(spec.name));
        if spec.default == Default::Unset {
            // The middle of the range first: switched on at its low end, an optional budget buys
            // nothing and hides the parameters that divide it.
            values.reverse();
        }
        for value in values {
            let mut start = defaults.clone();
            start.set(spec.name, value);
            if model.check(&start).is_ok() {
                starts.push(start);
                break;
            }
        }
    }
    starts
}

/// The whole recorded trajectory of replicate 0 and 1, bit for bit.
fn trajectory(
    model: &'static dyn Model,
    params: &Params,
    schedule: Vec<ScheduledChange>,
) -> Vec<u64> {
    let points = [Point {
        id: 0,
        option: None,
        params: params.clone(),
        schedule,
        stream: None,
    }];
    let plan = Plan {
        model,
        points: &points,
        replications: 2,
        master_seed: 17,
        ticks: model.default_ticks().min(260),
        stop: None,
        record_every: 1,
        per_unit: false,
    };
    (0..2)
        .flat_map(|r| run_one(&plan, &points[0], r).series)
        .map(f64::to_bits)
        .collect()
}

/// A change at tick `AT` that sets `spec` (or, when it is unset, the first schedulable parameter
/// with a value) to the value it already has.
fn no_op_change(model: &dyn Model, start: &Params, spec: &ParamSpec) -> ScheduledChange {
    let (name, value) = std::iter::once(spec)
        .chain(model.params().iter().filter(|s| s.schedulable))
        .find_map(|s| start.get(s.name).map(|v| (s.name, v.clone())))
        .expect("a schedulable parameter with a value");
    ScheduledChange {
        at: AT,
        set: vec![(name, value)],
    }
}

#[test]
fn every_schedulable_parameter_changes_the_run_in_every_model() {
    let mut checked = 0;
    for model in models::all() {
        let starts = starting_points(model);
        for spec in model.params().iter().filter(|s| s.schedulable) {
            let moved = starts.iter().any(|start| {
                // The run to compare with has a change at the same tick that changes no value, so
                // only the new value differs (a model may prepare for a schedule when it is given one).
                let no_op = no_op_change(model, start, spec);
                let unchanged = trajectory(model, start, vec![no_op]);
                other_values(spec, start.get(spec.name))
                    .into_iter()
                    .any(|value| {
                        let schedule = vec![ScheduledChange {
                            at: AT,
                            set: vec![(spec.name, value)],
                        }];
                        check_point(model, start, &schedule).is_ok()
                            && trajectory(model, start, schedule) != unchanged
                    })
            });
            assert!(
                moved,
                "{}: scheduling `{}` at tick {AT} changed nothing; unmark it or make reconfigure use it",
                model.name(),
                spec.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} schedulable parameters");
}

#[test]
fn the_engine_refuses_a_schedule_of_a_parameter_not_marked() {
    for model in models::all() {
        let start = Params::defaults(model.params());
        for spec in model.params().iter().filter(|s| !s.schedulable) {
            let value = other_values(spec, start.get(spec.name)).swap_remove(0);
            let schedule = [ScheduledChange {
                at: AT,
                set: vec![(spec.name, value)],
            }];
            let broken = check_point(model, &start, &schedule).unwrap_err();
            assert_eq!(broken.change, Some(0));
            assert!(
                broken.message.contains("cannot change mid-run"),
                "{broken:?}"
            );
        }
    }
}

/// The first name that occurs twice, if any.
fn repeated<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|name| !seen.insert(*name))
}

#[test]
fn every_declared_name_is_unique_within_a_model() {
    for model in models::all() {
        let params = model.params().iter().map(|p| p.name);
        let metrics = model.metrics().iter().map(|m| m.name);
        assert_eq!(
            repeated(params),
            None,
            "{}: a parameter declared twice",
            model.name()
        );
        assert_eq!(
            repeated(metrics),
            None,
            "{}: a metric declared twice",
            model.name()
        );
    }
    assert_eq!(repeated(["a", "b", "a"].into_iter()), Some("a"));
}
