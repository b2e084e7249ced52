//! The `[design]` section: a sampling design over a parameter space, an alternative to `[sweep]`.
//!
//! [`Design`] is the validated form: the method and its sizes, its own seed, whether design points
//! share replicate r's random streams (common random numbers), and the factors of
//! `[design.space]`, each a parameter with a range, a distribution or a list of choices.
//! [`Design::rows`] maps the unit-cube rows of [`super::sampling`] onto parameter values; row k is
//! design point k (before options multiply the points). Parsing and its file:line errors are
//! [`super::Ctx::design`], below.

use serde::Deserialize;
use statrs::distribution::{ContinuousCDF, Normal};
use toml::Spanned;

use super::{Ctx, Table, find_param, sampling};
use crate::engine::Model;
use crate::engine::params::{Domain, ParamSpec, Value};
use crate::error::InputError;
use crate::suggest::did_you_mean;

/// How a design samples its space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Lhs,
    Sobol,
    Morris,
    Random,
}

impl Method {
    pub const NAMES: &'static [&'static str] = &["lhs", "sobol", "morris", "random"];

    pub fn name(self) -> &'static str {
        match self {
            Method::Lhs => "lhs",
            Method::Sobol => "sobol",
            Method::Morris => "morris",
            Method::Random => "random",
        }
    }

    pub fn from_name(name: &str) -> Option<Method> {
        match name {
            "lhs" => Some(Method::Lhs),
            "sobol" => Some(Method::Sobol),
            "morris" => Some(Method::Morris),
            "random" => Some(Method::Random),
            _ => None,
        }
    }
}

/// How a unit coordinate u in [0, 1) becomes a parameter value (by the inverse distribution function).
#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    Uniform {
        lo: f64,
        hi: f64,
    },
    LogUniform {
        lo: f64,
        hi: f64,
    },
    Triangular {
        lo: f64,
        hi: f64,
        mode: f64,
    },
    TruncNormal {
        lo: f64,
        hi: f64,
        mean: f64,
        sd: f64,
    },
    /// Equally likely choices: u in [k/c, (k+1)/c) gives the k-th of c.
    Choices(Vec<Value>),
}

/// One parameter of `[design.space]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub param: &'static str,
    pub transform: Transform,
    /// A whole-number parameter: the value is rounded (a uniform range gives each whole number in
    /// it the same chance).
    pub whole: bool,
}

impl Factor {
    /// The value at unit coordinate `u`.
    pub fn value(&self, u: f64) -> Value {
        let u = u.clamp(0.0, 1.0);
        let x = match &self.transform {
            Transform::Choices(values) => {
                let k = ((u * values.len() as f64) as usize).min(values.len() - 1);
                return values[k].clone();
            }
            Transform::Uniform { lo, hi } if self.whole => {
                return Value::Num((lo + (u * (hi - lo + 1.0)).floor()).min(*hi));
            }
            Transform::Uniform { lo, hi } => lo + u * (hi - lo),
            Transform::LogUniform { lo, hi } => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            Transform::Triangular { lo, hi, mode } => {
                let c = (mode - lo) / (hi - lo);
                if u < c {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                }
            }
            Transform::TruncNormal { lo, hi, mean, sd } => {
                let normal = Normal::new(*mean, *sd).expect("sd > 0 is checked");
                let (a, b) = (normal.cdf(*lo), normal.cdf(*hi));
                normal.inverse_cdf(a + u * (b - a))
            }
        };
        let (lo, hi) = self.bounds();
        let x = x.clamp(lo, hi);
        Value::Num(if self.whole { x.round() } else { x })
    }

    /// The lower and upper bounds of the values (for choices, 0 and the number of choices).
    pub fn bounds(&self) -> (f64, f64) {
        match &self.transform {
            Transform::Uniform { lo, hi }
            | Transform::LogUniform { lo, hi }
            | Transform::Triangular { lo, hi, .. }
            | Transform::TruncNormal { lo, hi, .. } => (*lo, *hi),
            Transform::Choices(values) => (0.0, values.len() as f64),
        }
    }

    /// The distribution as SALib's `problem` names it (`dists`) and its `bounds` entry: `unif`
    /// [lo, hi], `logunif` [lo, hi], `triang` [lo, hi, peak as a share of the width],
    /// `truncnorm` [lo, hi, mean, sd]; choices are `unif` over [0, number of choices].
    pub fn salib(&self) -> (&'static str, Vec<f64>) {
        match &self.transform {
            Transform::Uniform { lo, hi } => ("unif", vec![*lo, *hi]),
            Transform::LogUniform { lo, hi } => ("logunif", vec![*lo, *hi]),
            Transform::Triangular { lo, hi, mode } => {
                ("triang", vec![*lo, *hi, (mode - lo) / (hi - lo)])
            }
            Transform::TruncNormal { lo, hi, mean, sd } => {
                ("truncnorm", vec![*lo, *hi, *mean, *sd])
            }
            Transform::Choices(values) => ("unif", vec![0.0, values.len() as f64]),
        }
    }
}

/// A validated `[design]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub method: Method,
    /// Sample size: points (lhs, random), base rows N (sobol) or trajectories (morris).
    pub n: usize,
    /// Grid levels of a Morris design (0 otherwise).
    pub levels: usize,
    pub seed: u64,
    /// Whether replicate r uses the same streams at every design point.
    pub common_random_numbers: bool,
    /// Sobol only: also the BA rows, for second-order indices.
    pub second_order: bool,
    pub factors: Vec<Factor>,
}

impl Design {
    /// The number of design points (before options multiply them).
    pub fn size(&self) -> usize {
        size(self.method, self.n, self.factors.len(), self.second_order)
    }

    /// The unit-cube rows, one per design point, in order.
    pub fn unit_rows(&self) -> Vec<Vec<f64>> {
        unit_rows(
            self.method,
            self.n,
            self.levels,
            self.factors.len(),
            self.second_order,
            self.seed,
        )
    }

    /// Each design point's parameter values.
    pub fn rows(&self) -> Vec<Vec<(&'static str, Value)>> {
        self.unit_rows()
            .iter()
            .map(|u| {
                self.factors
                    .iter()
                    .zip(u)
                    .map(|(f, &x)| (f.param, f.value(x)))
                    .collect()
            })
            .collect()
    }
}

/// The number of points of a design of `d` factors.
pub fn size(method: Method, n: usize, d: usize, second_order: bool) -> usize {
    match method {
        Method::Lhs | Method::Random => n,
        Method::Sobol => n * sampling::saltelli_block(d, second_order),
        Method::Morris => n * (d + 1),
    }
}

/// The unit-cube rows of a design (also what the analysis recomputes from a manifest).
pub fn unit_rows(
    method: Method,
    n: usize,
    levels: usize,
    d: usize,
    second_order: bool,
    seed: u64,
) -> Vec<Vec<f64>> {
    match method {
        Method::Lhs => sampling::lhs(n, d, seed),
        Method::Random => sampling::random(n, d, seed),
        Method::Sobol => sampling::saltelli(n, d, second_order, seed),
        Method::Morris => sampling::morris(n, levels, d, seed),
    }
}

/// `[design]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDesign {
    method: Spanned<String>,
    n: Option<Spanned<i64>>,
    trajectories: Option<Spanned<i64>>,
    levels: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    common_random_numbers: Option<Spanned<bool>>,
    second_order: Option<Spanned<bool>>,
    #[serde(default)]
    space: Table,
}

impl RawDesign {
    /// Where `method` is written: the place errors about the design as a whole point to.
    pub(super) fn method_at(&self) -> usize {
        self.method.span().start
    }

    /// The line of `param`'s entry in `[design.space]`.
    pub(super) fn line_of_param(&self, ctx: &Ctx, param: &str) -> String {
        self.space
            .keys()
            .find(|k| k.get_ref() == param)
            .map_or_else(|| "?".to_string(), |k| ctx.line_of(k.span().start))
    }
}

pub(super) const DESIGN_KEYS: &[&str] = &[
    "method",
    "n",
    "trajectories",
    "levels",
    "seed",
    "common_random_numbers",
    "second_order",
    "space",
];

const FACTOR_KEYS: &[&str] = &["from", "to", "scale", "distribution", "mode", "mean", "sd"];
const DISTRIBUTIONS: &[&str] = &["uniform", "loguniform", "triangular", "truncnormal"];

/// The most points a design may have before options and replicates (the run limits apply after).
pub const MAX_DESIGN_POINTS: usize = 10_000_000;

impl Ctx<'_> {
    /// The line number of a span, for messages that name a second place.
    fn line_of(&self, at: usize) -> String {
        self.place(at).rsplit(':').nth(1).unwrap_or("?").to_string()
    }

    /// Validates `[design]`; `params` and `sweep` are the scenario's other tables, for conflicts.
    pub(super) fn design(
        &self,
        model: &dyn Model,
        raw: &RawDesign,
        params: &Table,
        sweep: &Table,
    ) -> Result<Design, InputError> {
        if let Some((key, _)) = sweep.first() {
            return Err(self.at(
                key,
                "a scenario has a [sweep] or a [design], not both; move the swept parameters into [design.space]",
            ));
        }
        let method = Method::from_name(raw.method.get_ref()).ok_or_else(|| {
            self.at(
                &raw.method,
                format!(
                    "unknown design method \"{}\"; methods: lhs, sobol, morris, random{}",
                    raw.method.get_ref(),
                    did_you_mean(raw.method.get_ref(), Method::NAMES.iter().copied())
                ),
            )
        })?;
        let whole = |v: &Spanned<i64>, key: &str, min: i64, max: i64| {
            let x = *v.get_ref();
            if x < min || x > max {
                Err(self.at(
                    v,
                    format!("`{key}` = {x} must be a whole number from {min} to {max}"),
                ))
            } else {
                Ok(x as usize)
            }
        };
        let n = if method == Method::Morris {
            if let Some(n) = &raw.n {
                return Err(self.at(
                    n,
                    "a Morris design is sized by `trajectories` (and `levels`), not `n`",
                ));
            }
            let t = raw.trajectories.as_ref().ok_or_else(|| {
                self.at(
                    &raw.method,
                    "a Morris design needs `trajectories` (e.g. trajectories = 20)",
                )
            })?;
            whole(t, "trajectories", 2, 1_000_000)?
        } else {
            for (key, v) in [("trajectories", &raw.trajectories), ("levels", &raw.levels)] {
                if let Some(v) = v {
                    return Err(self.at(
                        v,
                        format!(
                            "`{key}` belongs to Morris designs; a {} design is sized by `n`",
                            method.name()
                        ),
                    ));
                }
            }
            let n = raw.n.as_ref().ok_or_else(|| {
                self.at(
                    &raw.method,
                    format!(
                        "a {} design needs its sample size `n` (e.g. n = 256){}",
                        method.name(),
                        if method == Method::Sobol {
                            ": the number of base rows N"
                        } else {
                            ""
                        }
                    ),
                )
            })?;
            if method == Method::Sobol {
                whole(n, "n", 2, sampling::MAX_SOBOL_N as i64)?
            } else {
                whole(n, "n", 2, MAX_DESIGN_POINTS as i64)?
            }
        };
        let levels = match (&raw.levels, method) {
            (Some(l), Method::Morris) => {
                let p = whole(l, "levels", 2, 1000)?;
                if p % 2 != 0 {
                    return Err(self.at(l, format!("`levels` = {p} must be even (a Morris grid of p levels steps by p/(2(p-1)))")));
                }
                p
            }
            (None, Method::Morris) => 4,
            _ => 0,
        };
        let second_order = match &raw.second_order {
            Some(s) if method != Method::Sobol && *s.get_ref() => {
                return Err(self.at(s, "`second_order` belongs to Sobol designs"));
            }
            Some(s) => *s.get_ref(),
            None => false,
        };
        let seed = match &raw.seed {
            Some(s) if *s.get_ref() < 0 => {
                return Err(self.at(
                    s,
                    format!(
                        "design seed = {} must be a whole number from 0 up",
                        s.get_ref()
                    ),
                ));
            }
            Some(s) => *s.get_ref() as u64,
            None => 0,
        };
        let common_random_numbers = raw
            .common_random_numbers
            .as_ref()
            .is_none_or(|c| *c.get_ref());
        if raw.space.is_empty() {
            return Err(self.at(&raw.method, "a design needs [design.space]: at least one parameter with its range, e.g. x = { from = 0, to = 1 }"));
        }
        let mut factors = Vec::new();
        for (key, value) in &raw.space {
            let spec = find_param(model, key.get_ref()).map_err(|m| self.at(key, m))?;
            if let Some(fixed) = params.keys().find(|k| k.get_ref() == key.get_ref()) {
                return Err(self.at(
                    key,
                    format!(
                        "`{}` is set in [params] (line {}) and varied in [design.space]; keep one",
                        spec.name,
                        self.line_of(fixed.span().start)
                    ),
                ));
            }
            let factor = self.factor(spec, value)?;
            factors.push(factor);
        }
        if method == Method::Sobol && factors.len() > sampling::MAX_SOBOL_DIMENSIONS {
            return Err(self.at(&raw.method, format!("a Sobol design takes at most {} parameters (the sequence has 256 dimensions); this one has {}", sampling::MAX_SOBOL_DIMENSIONS, factors.len())));
        }
        let points = size(method, n, factors.len(), second_order);
        if points > MAX_DESIGN_POINTS {
            return Err(self.at(
                &raw.method,
                format!("the design has {points} points; at most {MAX_DESIGN_POINTS}"),
            ));
        }
        Ok(Design {
            method,
            n,
            levels,
            seed,
            common_random_numbers,
            second_order,
            factors,
        })
    }

    /// One entry of `[design.space]`.
    fn factor(
        &self,
        spec: &'static ParamSpec,
        value: &Spanned<toml::Value>,
    ) -> Result<Factor, InputError> {
        let name = spec.name;
        let whole = matches!(spec.domain, Domain::Int { .. });
        let fail = |m: String| self.at(value, format!("[design.space] `{name}`: {m}"));
        let table = match value.get_ref() {
            toml::Value::Array(items) => {
                let mut values: Vec<Value> = Vec::new();
                for item in items {
                    let v = super::convert(spec, item)
                        .map_err(|m| fail(format!("{m}; it takes {}", spec.domain.allowed())))?;
                    let v = spec.check(&v).map_err(|e| fail(e.0))?;
                    if values.contains(&v) {
                        return Err(fail(format!("lists {v} twice; each choice once")));
                    }
                    values.push(v);
                }
                if values.len() < 2 {
                    return Err(fail(
                        "give at least two choices (a single value belongs in [params])".into(),
                    ));
                }
                return Ok(Factor {
                    param: name,
                    transform: Transform::Choices(values),
                    whole: false,
                });
            }
            toml::Value::Table(t) => t,
            other => {
                return Err(fail(format!(
                    "expected a range {{ from = A, to = B }} or a list of choices, not {other}"
                )));
            }
        };
        if let Domain::Choice(names) = spec.domain {
            return Err(fail(format!(
                "takes names, so give a list of choices, e.g. [{}]",
                super::quoted_list(names)
            )));
        }
        for key in table.keys() {
            if !FACTOR_KEYS.contains(&key.as_str()) {
                return Err(fail(format!(
                    "unknown key `{key}`; allowed: {}{}",
                    FACTOR_KEYS.join(", "),
                    did_you_mean(key, FACTOR_KEYS.iter().copied())
                )));
            }
        }
        let number = |k: &str| -> Result<Option<f64>, InputError> {
            match table.get(k) {
                None => Ok(None),
                Some(toml::Value::Integer(i)) => Ok(Some(*i as f64)),
                Some(toml::Value::Float(x)) if x.is_finite() => Ok(Some(*x)),
                Some(other) => Err(fail(format!("`{k}` must be a finite number, not {other}"))),
            }
        };
        let text = |k: &str, allowed: &[&str]| -> Result<Option<String>, InputError> {
            match table.get(k) {
                None => Ok(None),
                Some(toml::Value::String(s)) if allowed.contains(&s.as_str()) => {
                    Ok(Some(s.clone()))
                }
                Some(other) => {
                    let s = other.as_str().unwrap_or("");
                    Err(fail(format!(
                        "`{k}` must be one of {}, not {other}{}",
                        super::quoted_list(allowed),
                        did_you_mean(s, allowed.iter().copied())
                    )))
                }
            }
        };
        let (Some(lo), Some(hi)) = (number("from")?, number("to")?) else {
            return Err(fail(
                "a range needs `from` and `to`: { from = A, to = B }".into(),
            ));
        };
        if lo >= hi {
            return Err(fail(format!("`from` ({lo}) must be below `to` ({hi})")));
        }
        for x in [lo, hi] {
            spec.check(&Value::Num(x)).map_err(|e| {
                fail(format!(
                    "the range must lie in the parameter's domain: {}",
                    e.0
                ))
            })?;
        }
        let scale = text("scale", &["linear", "log"])?;
        let distribution = text("distribution", DISTRIBUTIONS)?;
        let dist = match (scale.as_deref(), distribution.as_deref()) {
            (Some("log"), Some(d)) => {
                return Err(fail(format!(
                    "give `scale = \"log\"` or `distribution = \"{d}\"`, not both"
                )));
            }
            (Some("log"), None) => "loguniform",
            (_, Some(d)) => match DISTRIBUTIONS.iter().find(|x| **x == d) {
                Some(x) => *x,
                None => "uniform",
            },
            _ => "uniform",
        };
        let needs = |k: &str, wanted: &str| -> Result<(), InputError> {
            if table.contains_key(k) && dist != wanted {
                return Err(fail(format!(
                    "`{k}` belongs to distribution = \"{wanted}\""
                )));
            }
            Ok(())
        };
        needs("mode", "triangular")?;
        needs("mean", "truncnormal")?;
        needs("sd", "truncnormal")?;
        let transform = match dist {
            "loguniform" => {
                if lo <= 0.0 {
                    return Err(fail(format!("a log scale needs `from` above 0, not {lo}")));
                }
                Transform::LogUniform { lo, hi }
            }
            "triangular" => {
                let mode = number("mode")?.ok_or_else(|| {
                    fail("a triangular distribution needs `mode` (its peak)".into())
                })?;
                if !(lo..=hi).contains(&mode) {
                    return Err(fail(format!(
                        "`mode` ({mode}) must lie from `from` to `to`"
                    )));
                }
                Transform::Triangular { lo, hi, mode }
            }
            "truncnormal" => {
                let mean = number("mean")?
                    .ok_or_else(|| fail("a truncated normal needs `mean` and `sd`".into()))?;
                let sd = number("sd")?
                    .ok_or_else(|| fail("a truncated normal needs `mean` and `sd`".into()))?;
                if sd <= 0.0 {
                    return Err(fail(format!("`sd` must be above 0, not {sd}")));
                }
                Transform::TruncNormal { lo, hi, mean, sd }
            }
            _ => Transform::Uniform { lo, hi },
        };
        if whole && (lo.fract() != 0.0 || hi.fract() != 0.0) {
            return Err(fail(format!(
                "takes whole numbers, so `from` and `to` must be whole, not {lo} and {hi}"
            )));
        }
        Ok(Factor {
            param: name,
            transform,
            whole,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_uniform_ranges_give_each_number_equally() {
        let f = Factor {
            param: "x",
            transform: Transform::Uniform { lo: 1.0, hi: 3.0 },
            whole: true,
        };
        let values: Vec<Value> = [0.0, 0.3, 0.34, 0.66, 0.67, 0.999]
            .iter()
            .map(|&u| f.value(u))
            .collect();
        let nums: Vec<f64> = values
            .iter()
            .map(|v| match v {
                Value::Num(x) => *x,
                Value::Text(_) => f64::NAN,
            })
            .collect();
        assert_eq!(nums, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
    }

    #[test]
    fn distributions_map_the_median_where_expected() {
        let value = |t: Transform| match (Factor {
            param: "x",
            transform: t,
            whole: false,
        })
        .value(0.5)
        {
            Value::Num(x) => x,
            Value::Text(_) => f64::NAN,
        };
        assert!((value(Transform::LogUniform { lo: 1.0, hi: 100.0 }) - 10.0).abs() < 1e-9);
        assert!(
            (value(Transform::Triangular {
                lo: 0.0,
                hi: 2.0,
                mode: 1.0
            }) - 1.0)
                .abs()
                < 1e-9
        );
        let t = value(Transform::TruncNormal {
            lo: -1.0,
            hi: 1.0,
            mean: 0.0,
            sd: 1.0,
        });
        assert!(t.abs() < 1e-6);
    }
}
