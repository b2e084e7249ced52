//! Experimental designs: the sweep axes of a scenario and their expansion into points.
//!
//! A design is data (axes of values, options) plus one pure function, [`expand`], with its own tests.

use crate::engine::ScheduledChange;
use crate::engine::executor::Point;
use crate::engine::params::{Domain, ParamSpec, Params, Value};

use super::OptionSpec;

/// How sweep axes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every combination (the first axis varies slowest).
    Grid,
    /// The i-th value of every axis together.
    Zip,
}

/// One swept parameter and its values, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub param: &'static str,
    pub values: Vec<Value>,
}

/// Every point of the design: each option (or the base alone) × each combination of the axes.
pub fn expand(
    base: &Params,
    mode: Mode,
    axes: &[Axis],
    options: &[OptionSpec],
    schedule: &[ScheduledChange],
) -> Vec<Point> {
    let combos: Vec<Vec<(&'static str, Value)>> = match mode {
        Mode::Zip => {
            let len = axes.first().map_or(1, |a| a.values.len());
            (0..len)
                .map(|i| {
                    axes.iter()
                        .map(|a| (a.param, a.values[i].clone()))
                        .collect()
                })
                .collect()
        }
        Mode::Grid => axes.iter().fold(vec![Vec::new()], |acc, axis| {
            acc.iter()
                .flat_map(|prefix| {
                    axis.values.iter().map(move |v| {
                        let mut combo = prefix.clone();
                        combo.push((axis.param, v.clone()));
                        combo
                    })
                })
                .collect()
        }),
    };
    expand_rows(base, &combos, options, schedule, false)
}

/// Every option (or the base alone) × each row of parameter values, the option slowest. With
/// `own_streams`, row k's points (one per option) draw their own random streams, keyed k, instead
/// of sharing replicate r's streams with every other row.
pub fn expand_rows(
    base: &Params,
    rows: &[Vec<(&'static str, Value)>],
    options: &[OptionSpec],
    schedule: &[ScheduledChange],
    own_streams: bool,
) -> Vec<Point> {
    let option_list: Vec<Option<&OptionSpec>> = if options.is_empty() {
        vec![None]
    } else {
        options.iter().map(Some).collect()
    };
    let mut points = Vec::new();
    for option in option_list {
        for (k, combo) in rows.iter().enumerate() {
            let mut params = base.clone();
            if let Some(o) = option {
                for (name, value) in &o.set {
                    params.set(name, value.clone());
                }
            }
            for (name, value) in combo {
                params.set(name, value.clone());
            }
            points.push(Point {
                id: points.len(),
                option: option.map(|o| o.name.clone()),
                params,
                schedule: option.map_or_else(|| schedule.to_vec(), |o| o.schedule.clone()),
                stream: own_streams.then_some(k as u64),
            });
        }
    }
    points
}

/// The most values one range may give.
pub const MAX_RANGE_VALUES: u64 = 100_000;

/// The values of `{ from = a, to = b, step = s }`, inclusive of `to` when it lies on the grid.
pub fn range(spec: &ParamSpec, table: &toml::Table) -> Result<Vec<Value>, String> {
    if let Domain::Choice(_) | Domain::Set(_) = spec.domain {
        return Err(format!(
            "`{}` takes names, so sweep it with a list, not a range",
            spec.name
        ));
    }
    for key in table.keys() {
        if !["from", "to", "step"].contains(&key.as_str()) {
            return Err(format!(
                "unknown key `{key}` in a range; a range is {{ from = A, to = B, step = S }}{}",
                crate::suggest::did_you_mean(key, ["from", "to", "step"])
            ));
        }
    }
    let get = |k: &str| -> Result<f64, String> {
        match table.get(k) {
            Some(toml::Value::Integer(i)) => Ok(*i as f64),
            Some(toml::Value::Float(x)) => Ok(*x),
            Some(other) => Err(format!("`{k}` in a range must be a number, not {other}")),
            None => Err(format!(
                "a range needs `{k}`: {{ from = A, to = B, step = S }}"
            )),
        }
    };
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    for (key, x) in [("from", from), ("to", to)] {
        if !x.is_finite() {
            return Err(format!(
                "range `{key}` is {x}, so the range yields no values; `from` and `to` must be finite numbers"
            ));
        }
    }
    if step.is_nan() || step <= 0.0 || step.is_infinite() {
        return Err(format!(
            "range step must be above 0, not {step}, or the range yields no values"
        ));
    }
    if to < from {
        return Err(format!(
            "range `to` ({to}) is below `from` ({from}), so the range yields no values"
        ));
    }
    // Counted in floating point first: a tiny step or a vast span must not wrap a u64 to 0 values.
    let span = ((to - from) / step * (1.0 + 1e-12) + 1e-9).floor();
    if !span.is_finite() || span >= MAX_RANGE_VALUES as f64 {
        return Err(format!(
            "the range gives {} values; at most {MAX_RANGE_VALUES} (a larger step, or a list)",
            if span < 1e15 {
                format!("{}", span as u64 + 1)
            } else {
                format!("about {span:.1e}")
            }
        ));
    }
    let count = span as u64 + 1;
    let values: Vec<Value> = (0..count)
        .map(|k| Value::Num(tidy(from + k as f64 * step)))
        .collect();
    if let Some(dup) = first_duplicate(&values) {
        return Err(format!(
            "the step {step} is too small to tell values apart near {dup} (12 significant digits); give a larger step"
        ));
    }
    Ok(values)
}

/// Rounds away binary noise such as 0.30000000000000004 (to 12 significant digits).
fn tidy(x: f64) -> f64 {
    format!("{x:.12e}").parse().unwrap_or(x)
}

/// The first value that appears twice, for error messages (linear: a hash set of the values).
pub fn first_duplicate(values: &[Value]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    values
        .iter()
        .find(|v| {
            let key = match v {
                // -0 and 0 are equal values; NaN never reaches here (parameters refuse it).
                Value::Num(x) => (0u8, (x + 0.0).to_bits().to_string()),
                Value::Text(t) => (1u8, t.clone()),
            };
            !seen.insert(key)
        })
        .map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPECS: &[ParamSpec] = &[
        ParamSpec::real(0.0, 0.0, 10.0, "", "").named("a"),
        ParamSpec::real(0.0, 0.0, 10.0, "", "").named("b"),
        ParamSpec::choice(&["x", "y"], "x", "").named("c"),
    ];

    fn axis(param: &'static str, values: &[f64]) -> Axis {
        Axis {
            param,
            values: values.iter().map(|v| Value::Num(*v)).collect(),
        }
    }

    #[test]
    fn grid_is_the_cartesian_product_first_axis_slowest() {
        let base = Params::defaults(SPECS);
        let points = expand(
            &base,
            Mode::Grid,
            &[axis("a", &[1.0, 2.0]), axis("b", &[3.0, 4.0, 5.0])],
            &[],
            &[],
        );
        assert_eq!(points.len(), 6);
        let pairs: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.params.num("a"), p.params.num("b")))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (1.0, 3.0),
                (1.0, 4.0),
                (1.0, 5.0),
                (2.0, 3.0),
                (2.0, 4.0),
                (2.0, 5.0)
            ]
        );
        assert!(points.iter().enumerate().all(|(i, p)| p.id == i));
    }

    #[test]
    fn zip_pairs_element_by_element() {
        let base = Params::defaults(SPECS);
        let points = expand(
            &base,
            Mode::Zip,
            &[axis("a", &[1.0, 2.0]), axis("b", &[3.0, 4.0])],
            &[],
            &[],
        );
        let pairs: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.params.num("a"), p.params.num("b")))
            .collect();
        assert_eq!(pairs, vec![(1.0, 3.0), (2.0, 4.0)]);
    }

    #[test]
    fn no_axes_is_one_point_and_options_multiply() {
        let base = Params::defaults(SPECS);
        assert_eq!(expand(&base, Mode::Grid, &[], &[], &[]).len(), 1);
        let options = vec![
            OptionSpec {
                name: "one".into(),
                description: String::new(),
                set: vec![("c", Value::Text("y".into()))],
                schedule: vec![],
            },
            OptionSpec {
                name: "two".into(),
                description: String::new(),
                set: vec![],
                schedule: vec![],
            },
        ];
        let points = expand(&base, Mode::Grid, &[axis("a", &[1.0, 2.0])], &options, &[]);
        assert_eq!(points.len(), 4);
        assert_eq!(points[0].option.as_deref(), Some("one"));
        assert_eq!(points[0].params.text("c"), "y");
        assert_eq!(points[3].params.text("c"), "x");
    }

    #[test]
    fn ranges_include_the_end_and_are_tidy() {
        let mut t = toml::Table::new();
        t.insert("from".into(), toml::Value::Float(0.1));
        t.insert("to".into(), toml::Value::Float(0.9));
        t.insert("step".into(), toml::Value::Float(0.1));
        let values = range(&SPECS[0], &t).unwrap();
        assert_eq!(values.len(), 9);
        assert_eq!(values[2], Value::Num(0.3));
        assert_eq!(values[8], Value::Num(0.9));
        t.insert("step".into(), toml::Value::Float(0.0));
        assert!(range(&SPECS[0], &t).unwrap_err().contains("above 0"));
        assert!(range(&SPECS[2], &t).unwrap_err().contains("list"));
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(
            first_duplicate(&[Value::Num(1.0), Value::Num(2.0), Value::Num(1.0)]),
            Some("1".into())
        );
        assert_eq!(first_duplicate(&[Value::Num(1.0)]), None);
    }
}
