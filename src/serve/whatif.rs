//! What the page has on screen, as one request: the model, seed, replicates, the context, and the
//! options with their levers and change programmes. It is checked here field by field (so an error
//! names the field the page shows, e.g. `options[1].set.hub_share`) and written as the scenario TOML
//! that `orgsim run` reads; the live answer is computed from that same text, so the file the page
//! offers reproduces the numbers it shows.

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::engine::Model;
use crate::engine::params::{Domain, Group, ParamSpec, Value};
use crate::error::InputError;
use crate::models;
use crate::scenario::{self, Overrides, Scenario, find_param};
use crate::suggest::did_you_mean;

/// The most replicates one answer may run (per option).
pub const MAX_REPLICATES: u64 = 2000;
/// The most options one answer may compare.
pub const MAX_OPTIONS: usize = 8;
/// The default number of paired replicates.
pub const DEFAULT_REPLICATES: u64 = 200;
/// The most characters of an option's name.
const MAX_NAME_CHARS: usize = 60;
/// About this many recorded ticks per run: enough for a smooth time series, few enough to answer fast.
const RECORDED_TICKS: u64 = 65;

/// A parameter value from the page: a number, a name, or `null` for the declaration's default.
pub type Values = IndexMap<String, Json>;

/// Everything on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    pub model: String,
    /// The scenario's name (names the study's folder): letters, digits, - and _.
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_replicates")]
    pub replicates: u64,
    /// The run length in ticks [default: the model's horizon].
    #[serde(default)]
    pub ticks: Option<u64>,
    /// The metric the figures show [default: the model's first headline metric].
    #[serde(default)]
    pub metric: Option<String>,
    /// Context parameters (and internal constants) shared by every option: the scenario's `[params]`.
    #[serde(default)]
    pub context: Values,
    pub options: Vec<OptionIn>,
    /// The option the others are compared with [default: the first].
    #[serde(default)]
    pub baseline: Option<String>,
}

/// One option: its name, its levers, and an optional change programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionIn {
    pub name: String,
    #[serde(default)]
    pub set: Values,
    /// Changes at chosen weeks (a change programme), applied at the start of tick `at`.
    #[serde(default)]
    pub schedule: Vec<ChangeIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    pub at: u64,
    pub set: Values,
}

fn default_name() -> String {
    "what-if".to_string()
}

fn default_replicates() -> u64 {
    DEFAULT_REPLICATES
}

/// The model named `name`, or an error listing the models with a did-you-mean.
pub fn find_model(name: &str, field: &str) -> Result<&'static dyn Model, InputError> {
    models::find(name).ok_or_else(|| {
        InputError::new(
            field,
            format!(
                "unknown model \"{name}\"; known models: {}{}",
                models::names().join(", "),
                did_you_mean(name, models::names())
            ),
        )
    })
}

/// A JSON value as a checked value of `spec`; `None` for `null` (the declaration's default).
fn value_of(spec: &ParamSpec, value: &Json, field: &str) -> Result<Option<Value>, InputError> {
    let candidate = match value {
        Json::Null => return Ok(None),
        Json::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::Text(s.clone()),
        other => {
            return Err(InputError::new(
                field,
                format!(
                    "expected a number or a name, found {other}: `{}` takes {}",
                    spec.name,
                    spec.domain.allowed()
                ),
            ));
        }
    };
    spec.check(&candidate)
        .map(Some)
        .map_err(|e| InputError::new(field, e.0))
}

/// A checked value as TOML: whole numbers of whole-number parameters without a point, reals in
/// their shortest round-trip form (so the file holds exactly the value checked), names quoted.
fn toml_value(spec: &ParamSpec, value: &Value) -> String {
    match (value, spec.domain) {
        (Value::Num(x), Domain::Int { .. }) => format!("{}", *x as i64),
        (Value::Num(x), _) => format!("{x:?}"),
        (Value::Text(s), _) => toml_string(s),
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `a = 1`, `b = "x"`: the checked values (without those equal to their declared defaults, unless
/// `keep_defaults`), in the request's order.
fn assignments(
    model: &dyn Model,
    values: &Values,
    field: &str,
    check: impl Fn(&ParamSpec, &str) -> Result<(), InputError>,
    keep_defaults: bool,
) -> Result<Vec<String>, InputError> {
    let mut parts = Vec::new();
    for (name, raw) in values {
        let place = format!("{field}.{name}");
        let spec = find_param(model, name).map_err(|m| InputError::new(&place, m))?;
        check(spec, &place)?;
        let Some(value) = value_of(spec, raw, &place)? else {
            continue;
        };
        if !keep_defaults && spec.default_value().as_ref() == Some(&value) {
            continue;
        }
        parts.push(format!("{name} = {}", toml_value(spec, &value)));
    }
    Ok(parts)
}

/// `{ a = 1, b = "x" }`.
fn inline_table(parts: &[String]) -> String {
    if parts.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", parts.join(", "))
    }
}

impl WhatIf {
    /// The model, checked.
    pub fn model(&self) -> Result<&'static dyn Model, InputError> {
        find_model(&self.model, "model")
    }

    /// Checks every field and writes the scenario TOML of what is on screen.
    pub fn to_toml(&self) -> Result<String, InputError> {
        let model = self.model()?;
        if !(1..=MAX_REPLICATES).contains(&self.replicates) {
            return Err(InputError::new(
                "replicates",
                format!(
                    "{} is out of range: replicates takes a whole number from 1 to {MAX_REPLICATES}",
                    self.replicates
                ),
            ));
        }
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 80
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(InputError::new(
                "name",
                format!(
                    "\"{}\" is not a scenario name: use 1 to 80 letters, digits, - and _",
                    self.name
                ),
            ));
        }
        if self.options.is_empty() || self.options.len() > MAX_OPTIONS {
            return Err(InputError::new(
                "options",
                format!(
                    "{} options: compare 1 to {MAX_OPTIONS} options",
                    self.options.len()
                ),
            ));
        }
        for (i, option) in self.options.iter().enumerate() {
            let field = format!("options[{i}].name");
            let n = option.name.trim();
            if n.is_empty() || option.name.chars().count() > MAX_NAME_CHARS {
                return Err(InputError::new(
                    field,
                    format!("an option needs a name of 1 to {MAX_NAME_CHARS} characters"),
                ));
            }
            if n != option.name || option.name.chars().any(char::is_control) {
                return Err(InputError::new(
                    field,
                    format!(
                        "\"{}\": an option's name may not start or end with spaces or hold control characters",
                        option.name.escape_debug()
                    ),
                ));
            }
            if self.options[..i].iter().any(|o| o.name == option.name) {
                return Err(InputError::new(
                    field,
                    format!(
                        "two options are called \"{}\"; give each its own name",
                        option.name
                    ),
                ));
            }
        }
        let names: Vec<&str> = self.options.iter().map(|o| o.name.as_str()).collect();
        if let Some(b) = &self.baseline
            && !names.contains(&b.as_str())
        {
            return Err(InputError::new(
                "baseline",
                format!(
                    "\"{b}\" is not an option; options: {}{}",
                    names.join(", "),
                    did_you_mean(b, names.iter().copied())
                ),
            ));
        }
        if let Some(m) = &self.metric
            && !model.metrics().iter().any(|s| s.name == m)
        {
            let metric_names: Vec<&str> = model.metrics().iter().map(|s| s.name).collect();
            return Err(InputError::new(
                "metric",
                format!(
                    "unknown metric \"{m}\" for model {}{}",
                    model.name(),
                    did_you_mean(m, metric_names.iter().copied())
                ),
            ));
        }

        let ticks = self.ticks.unwrap_or(model.default_ticks());
        let mut text = format!(
            "# The what-if page of `orgsim serve`: `orgsim run` of this file reproduces its numbers.\n\
             [scenario]\nname = {}\ndescription = \"what-if options from orgsim serve\"\nmodel = {}\n\
             replications = {}\nseed = {}\n",
            toml_string(&self.name),
            toml_string(model.name()),
            self.replicates,
            self.seed
        );
        if let Some(t) = self.ticks {
            text += &format!("ticks = {t}\n");
        }
        text += &format!("record_every = {}\n", (ticks / RECORDED_TICKS).max(1));
        if let Some(b) = &self.baseline {
            text += &format!("baseline = {}\n", toml_string(b));
        }

        // Context: not levers, and not also set by an option (a parameter lives in one place).
        let set_by_options =
            |name: &str| self.options.iter().position(|o| o.set.contains_key(name));
        let context = assignments(
            model,
            &self.context,
            "context",
            |spec, place| {
                if spec.group == Group::Lever {
                    return Err(InputError::new(
                        place,
                        format!(
                            "`{}` is a lever: set it per option, not in the context",
                            spec.name
                        ),
                    ));
                }
                if let Some(i) = set_by_options(spec.name) {
                    return Err(InputError::new(
                        place,
                        format!(
                            "`{}` is also set by options[{i}]; a parameter is either context or set per option",
                            spec.name
                        ),
                    ));
                }
                Ok(())
            },
            false,
        )?;
        text += "\n[params]\n";
        for line in context {
            text += &line;
            text += "\n";
        }

        for (i, option) in self.options.iter().enumerate() {
            let set = inline_table(&assignments(
                model,
                &option.set,
                &format!("options[{i}].set"),
                |_, _| Ok(()),
                false,
            )?);
            text += &format!(
                "\n[[option]]\nname = {}\nset = {set}\n",
                toml_string(&option.name)
            );
            if option.schedule.is_empty() {
                continue;
            }
            let mut changes = Vec::new();
            for (k, change) in option.schedule.iter().enumerate() {
                let field = format!("options[{i}].schedule[{k}]");
                if change.at == 0 || change.at >= ticks {
                    return Err(InputError::new(
                        format!("{field}.at"),
                        format!(
                            "week {} is outside the run: a change takes effect at a week from 1 to {}",
                            change.at,
                            ticks.saturating_sub(1)
                        ),
                    ));
                }
                let set = inline_table(&assignments(
                    model,
                    &change.set,
                    &format!("{field}.set"),
                    |spec, place| {
                        if spec.schedulable {
                            Ok(())
                        } else {
                            Err(InputError::new(
                                place,
                                format!(
                                    "`{}` cannot change mid-run (see `orgsim describe {}` for what can)",
                                    spec.name,
                                    model.name()
                                ),
                            ))
                        }
                    },
                    // A change to the default value is still a change from what the option had.
                    true,
                )?);
                changes.push(format!("{{ at = {}, set = {set} }}", change.at));
            }
            text += &format!("schedule = [{}]\n", changes.join(", "));
        }
        Ok(text)
    }

    /// The validated scenario of what is on screen, and its TOML text.
    pub fn scenario(&self) -> Result<Scenario, InputError> {
        let text = self.to_toml()?;
        let file = format!("{}.toml", self.name);
        scenario::parse(Path::new(&file), &text, &Overrides::default())
    }

    /// The page's starting point for `model`: its defaults, as a baseline and one copy to change.
    pub fn defaults(model: &dyn Model) -> WhatIf {
        let levers = |option: &str| OptionIn {
            name: option.to_string(),
            set: lever_values(
                model,
                &crate::engine::params::Params::defaults(model.params()),
            ),
            schedule: Vec::new(),
        };
        WhatIf {
            model: model.name().to_string(),
            name: default_name(),
            seed: 1,
            replicates: DEFAULT_REPLICATES,
            ticks: None,
            metric: None,
            context: context_values(
                model,
                &crate::engine::params::Params::defaults(model.params()),
            ),
            options: vec![levers("baseline"), levers("alternative")],
            baseline: None,
        }
    }

    /// The page's starting point from a scenario of options (or of one point: it and a copy).
    pub fn from_scenario(s: &Scenario) -> Result<WhatIf, InputError> {
        let file = s.file.display().to_string();
        if s.design.is_some() || !s.axes.is_empty() {
            return Err(InputError::new(
                file,
                "the what-if page compares [[option]]s; this scenario has a [sweep] or a [design] (run it with `orgsim run`)",
            ));
        }
        if !s.schedule.is_empty() {
            return Err(InputError::new(
                file,
                "the what-if page shows change programmes per option; move the [[schedule]] into the options' `schedule`",
            ));
        }
        let model = s.model;
        let mut context = context_values(model, &s.base);
        // Constants the scenario sets keep their values (they have no panel of their own).
        for (spec, value) in s.base.iter() {
            if spec.group == Group::Constant
                && let Some(v) = value
                && spec.default_value().as_ref() != Some(v)
            {
                context.insert(spec.name.to_string(), v.to_json());
            }
        }
        let point_option = |p: &crate::engine::executor::Point, name: String| OptionIn {
            name,
            set: lever_values(model, &p.params),
            schedule: p
                .schedule
                .iter()
                .map(|c| ChangeIn {
                    at: c.at,
                    set: c
                        .set
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_json()))
                        .collect(),
                })
                .collect(),
        };
        let options = if s.points.len() == 1 {
            vec![
                point_option(&s.points[0], "baseline".to_string()),
                point_option(&s.points[0], "alternative".to_string()),
            ]
        } else {
            s.points
                .iter()
                .map(|p| point_option(p, p.option.clone().unwrap_or_default()))
                .collect()
        };
        if options.len() > MAX_OPTIONS {
            return Err(InputError::new(
                file,
                format!(
                    "{} options: the what-if page compares at most {MAX_OPTIONS}",
                    options.len()
                ),
            ));
        }
        Ok(WhatIf {
            model: model.name().to_string(),
            name: s.name.clone(),
            seed: s.seed,
            replicates: s.replications.clamp(1, MAX_REPLICATES),
            ticks: (s.ticks != model.default_ticks()).then_some(s.ticks),
            metric: None,
            context,
            options,
            baseline: s.baseline.clone(),
        })
    }
}

/// Every lever's value in `params` (`null` where unset).
fn lever_values(model: &dyn Model, params: &crate::engine::params::Params) -> Values {
    group_values(model, params, Group::Lever)
}

/// Every context parameter's value in `params` (`null` where unset).
fn context_values(model: &dyn Model, params: &crate::engine::params::Params) -> Values {
    group_values(model, params, Group::Context)
}

fn group_values(model: &dyn Model, params: &crate::engine::params::Params, group: Group) -> Values {
    model
        .params()
        .iter()
        .filter(|spec| spec.group == group)
        .map(|spec| {
            let value = params.get(spec.name).map_or(Json::Null, Value::to_json);
            (spec.name.to_string(), value)
        })
        .collect()
}

/// A parameter's declaration as the page needs it to draw a control.
#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    pub name: &'static str,
    pub label: String,
    pub group: &'static str,
    /// "real", "int", "choice" or "set".
    pub kind: &'static str,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The range a slider covers (the declared exploration range, else the domain's).
    pub slider: Option<(f64, f64)>,
    pub choices: Vec<&'static str>,
    pub default: Json,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub schedulable: bool,
}

/// A metric's declaration as the page needs it.
#[derive(Debug, Clone, Serialize)]
pub struct MetricView {
    pub name: &'static str,
    pub label: String,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub headline: bool,
    pub higher_is_better: bool,
}

/// A model's declarations as the page needs them.
#[derive(Debug, Clone, Serialize)]
pub struct ModelView {
    pub name: &'static str,
    pub summary: &'static str,
    pub tick_unit: &'static str,
    pub default_ticks: u64,
    pub params: Vec<ParamView>,
    pub metrics: Vec<MetricView>,
    pub max_replicates: u64,
    pub max_options: usize,
}

impl ModelView {
    pub fn of(model: &dyn Model) -> ModelView {
        let params = model
            .params()
            .iter()
            .map(|p| {
                let (kind, min, max, choices) = match p.domain {
                    Domain::Real { min, max } => {
                        ("real", Some(min), max.is_finite().then_some(max), vec![])
                    }
                    Domain::Int { min, max } => ("int", Some(min as f64), Some(max as f64), vec![]),
                    Domain::Choice(names) => ("choice", None, None, names.to_vec()),
                    Domain::Set(names) => ("set", None, None, names.to_vec()),
                };
                ParamView {
                    name: p.name,
                    label: p.label(),
                    group: match p.group {
                        Group::Lever => "lever",
                        Group::Context => "context",
                        Group::Constant => "constant",
                    },
                    kind,
                    min,
                    max,
                    slider: p.explore_range(),
                    choices,
                    default: p.default_value().map_or(Json::Null, |v| v.to_json()),
                    unit: p.unit,
                    meaning: p.meaning,
                    schedulable: p.schedulable,
                }
            })
            .collect();
        let metrics = model
            .metrics()
            .iter()
            .map(|m| MetricView {
                name: m.name,
                label: m.label(),
                unit: m.unit,
                meaning: m.meaning,
                headline: m.headline,
                higher_is_better: m.higher_is_better,
            })
            .collect();
        ModelView {
            name: model.name(),
            summary: model.summary(),
            tick_unit: model.tick_unit(),
            default_ticks: model.default_ticks(),
            params,
            metrics,
            max_replicates: MAX_REPLICATES,
            max_options: MAX_OPTIONS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datateam() -> WhatIf {
        WhatIf::defaults(models::find("datateam").unwrap())
    }

    #[test]
    fn defaults_write_a_file_that_validates_with_two_options() {
        let w = datateam();
        let s = w.scenario().unwrap();
        assert_eq!(s.points.len(), 2);
        assert_eq!(s.replications, DEFAULT_REPLICATES);
        let text = w.to_toml().unwrap();
        assert!(text.contains("name = \"alternative\"\nset = {}"), "{text}");
    }

    #[test]
    fn values_round_trip_exactly_through_the_file() {
        let mut w = datateam();
        w.options[1]
            .set
            .insert("hub_share".into(), serde_json::json!(0.1 + 0.2));
        w.options[1]
            .set
            .insert("analysts".into(), serde_json::json!(20));
        w.options[1].schedule.push(ChangeIn {
            at: 52,
            set: [("structure".to_string(), serde_json::json!("embedded"))]
                .into_iter()
                .collect(),
        });
        let s = w.scenario().unwrap();
        assert_eq!(s.points[1].params.num("hub_share"), 0.1 + 0.2);
        assert_eq!(s.points[1].params.num("analysts"), 20.0);
        assert_eq!(s.points[1].schedule.len(), 1);
        assert_eq!(s.points[1].schedule[0].at, 52);
        // And back: the scenario's starting point is what was sent.
        let back = WhatIf::from_scenario(&s).unwrap();
        assert_eq!(
            back.options[1].set["hub_share"],
            serde_json::json!(0.1 + 0.2)
        );
        assert_eq!(back.options[1].schedule[0].set["structure"], "embedded");
    }

    #[test]
    fn bad_values_name_the_field_and_what_is_allowed() {
        let mut w = datateam();
        w.options[1]
            .set
            .insert("hub_share".into(), serde_json::json!(1.5));
        let e = w.to_toml().unwrap_err();
        assert_eq!(e.place, "options[1].set.hub_share");
        assert!(e.message.contains("from 0 to 1"), "{}", e.message);

        let mut w = datateam();
        w.options[0]
            .set
            .insert("hub_shares".into(), serde_json::json!(0.1));
        let e = w.to_toml().unwrap_err();
        assert!(e.message.contains("did you mean \"hub_share\""), "{e}");

        let mut w = datateam();
        w.model = "datateem".into();
        let e = w.to_toml().unwrap_err();
        assert_eq!(e.place, "model");
        assert!(e.message.contains("did you mean \"datateam\""), "{e}");

        let mut w = datateam();
        w.replicates = MAX_REPLICATES + 1;
        assert_eq!(w.to_toml().unwrap_err().place, "replicates");

        let mut w = datateam();
        w.options[1].name = "baseline".into();
        assert!(w.to_toml().unwrap_err().message.contains("two options"));

        let mut w = datateam();
        w.context
            .insert("structure".into(), serde_json::json!("embedded"));
        assert!(w.to_toml().unwrap_err().message.contains("is a lever"));

        let mut w = datateam();
        w.options[1].schedule.push(ChangeIn {
            at: 52,
            set: [("units".to_string(), serde_json::json!(9))]
                .into_iter()
                .collect(),
        });
        let e = w.to_toml().unwrap_err();
        assert!(e.message.contains("cannot change mid-run"), "{e}");

        let mut w = datateam();
        w.options[1].schedule.push(ChangeIn {
            at: 10_000,
            set: Values::new(),
        });
        assert_eq!(w.to_toml().unwrap_err().place, "options[1].schedule[0].at");
    }

    #[test]
    fn a_sweep_is_refused_as_a_starting_point() {
        let text =
            "[scenario]\nname = \"x\"\nmodel = \"datateam\"\n[sweep]\nhub_share = [0.1, 0.2]\n";
        let s = scenario::parse(Path::new("x.toml"), text, &Overrides::default()).unwrap();
        let e = WhatIf::from_scenario(&s).unwrap_err();
        assert!(e.message.contains("[sweep]"), "{e}");
    }
}
