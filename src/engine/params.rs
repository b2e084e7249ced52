//! Parameter declarations and values: the one source of truth for what a model accepts.
//!
//! Each model declares its parameters once as a static table of [`ParamSpec`]. Scenario parsing,
//! validation, `orgsim describe`, CSV columns and the documentation all read that table, so a parameter
//! cannot be accepted in one place and unknown in another.

use std::fmt;

/// What values a parameter may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// A real number in `[min, max]`.
    Real { min: f64, max: f64 },
    /// A whole number in `[min, max]`.
    Int { min: i64, max: i64 },
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
}

impl Domain {
    /// A short human description of the allowed values, used in errors and `describe`.
    pub fn allowed(&self) -> String {
        match self {
            Domain::Real { min, max } => format!("a number from {min} to {max}"),
            Domain::Int { min, max } => format!("a whole number from {min} to {max}"),
            Domain::Choice(names) => format!("one of {}", quoted_list(names)),
        }
    }
}

/// Formats `["a", "b"]` as `"a", "b"` for messages.
pub fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A parameter's default: a value, or unset (an optional parameter that switches a mode on).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Num(f64),
    Text(&'static str),
    Unset,
}

/// One declared parameter of a model.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: Default,
    pub domain: Domain,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub source: &'static str,
    /// Whether a `[[schedule]]` entry may change it mid-run.
    pub schedulable: bool,
}

/// A parameter value after validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Num(x) => serde_json::json!(x),
            Value::Text(s) => serde_json::json!(s),
        }
    }
}

/// Why a value does not fit a parameter's domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainError(pub String);

impl ParamSpec {
    /// Checks a candidate value against the domain, returning the validated value.
    pub fn check(&self, value: &Value) -> Result<Value, DomainError> {
        let allowed = self.domain.allowed();
        match (&self.domain, value) {
            (Domain::Real { min, max }, Value::Num(x)) => {
                if !x.is_finite() || *x < *min || *x > *max {
                    return Err(DomainError(format!(
                        "{x} is out of range: `{}` takes {allowed}",
                        self.name
                    )));
                }
                Ok(Value::Num(*x))
            }
            (Domain::Int { min, max }, Value::Num(x)) => {
                if x.fract() != 0.0 || !x.is_finite() {
                    return Err(DomainError(format!(
                        "{x} is not a whole number: `{}` takes {allowed}",
                        self.name
                    )));
                }
                if *x < *min as f64 || *x > *max as f64 {
                    return Err(DomainError(format!(
                        "{x} is out of range: `{}` takes {allowed}",
                        self.name
                    )));
                }
                Ok(Value::Num(*x))
            }
            (Domain::Choice(names), Value::Text(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(Value::Text(s.clone()))
                } else {
                    let hint = crate::scenario::suggest::did_you_mean(s, names.iter().copied());
                    Err(DomainError(format!(
                        "\"{s}\" is not allowed: `{}` takes {allowed}{hint}",
                        self.name
                    )))
                }
            }
            (Domain::Choice(_), Value::Num(x)) => Err(DomainError(format!(
                "expected a name, found the number {x}: `{}` takes {allowed}",
                self.name
            ))),
            (_, Value::Text(s)) => Err(DomainError(format!(
                "expected a number, found the text \"{s}\": `{}` takes {allowed}",
                self.name
            ))),
        }
    }

    pub fn default_value(&self) -> Option<Value> {
        match self.default {
            Default::Num(x) => Some(Value::Num(x)),
            Default::Text(s) => Some(Value::Text(s.to_string())),
            Default::Unset => None,
        }
    }

    pub fn default_display(&self) -> String {
        match self.default {
            Default::Num(x) => x.to_string(),
            Default::Text(s) => s.to_string(),
            Default::Unset => "unset".to_string(),
        }
    }
}

/// A full set of parameter values for one model, in declaration order.
#[derive(Debug, Clone)]
pub struct Params {
    specs: &'static [ParamSpec],
    values: Vec<Option<Value>>,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.specs, other.specs) && self.values == other.values
    }
}

impl Params {
    /// Every parameter at its default.
    pub fn defaults(specs: &'static [ParamSpec]) -> Self {
        Params {
            specs,
            values: specs.iter().map(ParamSpec::default_value).collect(),
        }
    }

    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.name == name)
    }

    /// Sets an already-validated value. Panics on an undeclared name: callers validate names first.
    pub fn set(&mut self, name: &str, value: Value) {
        let i = self
            .index_of(name)
            .unwrap_or_else(|| panic!("undeclared parameter `{name}`"));
        self.values[i] = Some(value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.index_of(name).and_then(|i| self.values[i].as_ref())
    }

    /// The numeric value of a declared, set numeric parameter.
    pub fn num(&self, name: &str) -> f64 {
        self.opt_num(name)
            .unwrap_or_else(|| panic!("parameter `{name}` is not a set number"))
    }

    /// The numeric value, or `None` when the parameter is unset.
    pub fn opt_num(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Some(Value::Num(x)) => Some(*x),
            _ => None,
        }
    }

    /// The name held by a declared choice parameter.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Value::Text(s)) => s,
            _ => panic!("parameter `{name}` is not a set name"),
        }
    }

    /// `(spec, value)` pairs in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static ParamSpec, Option<&Value>)> {
        self.specs
            .iter()
            .zip(self.values.iter().map(Option::as_ref))
    }

    /// The value rendered for a CSV cell: empty when unset.
    pub fn cell(&self, index: usize) -> String {
        self.values[index]
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default()
    }
}

/// One declared output metric of a model.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    pub name: &'static str,
    /// For axis labels and `describe`, e.g. "share" or "effect SD x weeks".
    pub unit: &'static str,
    pub meaning: &'static str,
    /// Headline metrics lead comparisons, plots and reports.
    pub headline: bool,
    /// Which direction is better, for rankings and "probability best".
    pub higher_is_better: bool,
}

impl MetricSpec {
    /// A metric where more is better, not a headline.
    pub const fn new(name: &'static str, unit: &'static str, meaning: &'static str) -> Self {
        MetricSpec {
            name,
            unit,
            meaning,
            headline: false,
            higher_is_better: true,
        }
    }

    pub const fn headline(self) -> Self {
        MetricSpec {
            headline: true,
            ..self
        }
    }

    pub const fn lower_is_better(self) -> Self {
        MetricSpec {
            higher_is_better: false,
            ..self
        }
    }
}

/// A model's named stopping rule (for `stop = "..."` in a scenario).
#[derive(Debug, Clone, Copy)]
pub struct StopRule {
    pub name: &'static str,
    pub meaning: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec {
            name: "rate",
            default: Default::Num(0.5),
            domain: Domain::Real { min: 0.0, max: 1.0 },
            unit: "probability",
            meaning: "",
            source: "",
            schedulable: false,
        },
        ParamSpec {
            name: "count",
            default: Default::Num(3.0),
            domain: Domain::Int { min: 1, max: 10 },
            unit: "people",
            meaning: "",
            source: "",
            schedulable: false,
        },
        ParamSpec {
            name: "mode",
            default: Default::Text("fast"),
            domain: Domain::Choice(&["fast", "slow"]),
            unit: "",
            meaning: "",
            source: "",
            schedulable: false,
        },
    ];

    #[test]
    fn real_range_is_inclusive_and_rejects_outside() {
        assert!(SPECS[0].check(&Value::Num(1.0)).is_ok());
        assert!(SPECS[0].check(&Value::Num(0.0)).is_ok());
        let err = SPECS[0].check(&Value::Num(1.5)).unwrap_err();
        assert!(err.0.contains("from 0 to 1"), "{}", err.0);
        assert!(SPECS[0].check(&Value::Num(f64::NAN)).is_err());
    }

    #[test]
    fn int_rejects_fractions() {
        assert!(SPECS[1].check(&Value::Num(2.0)).is_ok());
        assert!(
            SPECS[1]
                .check(&Value::Num(2.5))
                .unwrap_err()
                .0
                .contains("whole number")
        );
        assert!(SPECS[1].check(&Value::Num(11.0)).is_err());
    }

    #[test]
    fn choice_suggests_near_miss() {
        let err = SPECS[2].check(&Value::Text("slwo".into())).unwrap_err();
        assert!(err.0.contains("did you mean \"slow\""), "{}", err.0);
        assert!(SPECS[2].check(&Value::Num(1.0)).is_err());
    }

    #[test]
    fn params_start_at_defaults_and_set_overrides() {
        let mut p = Params::defaults(SPECS);
        assert_eq!(p.num("rate"), 0.5);
        assert_eq!(p.text("mode"), "fast");
        p.set("rate", Value::Num(0.25));
        assert_eq!(p.num("rate"), 0.25);
        assert_eq!(p.cell(0), "0.25");
    }
}
