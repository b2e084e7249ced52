//! The `[robustness]` section: which metric regret is measured on, which percentile of regret to
//! report, the satisficing threshold, and the cases scenario discovery looks for; and the small
//! language those cases are written in.
//!
//! ```toml
//! [robustness]
//! metric = "value_added"        # default: the model's first headline metric
//! percentile = 90               # of regret over the design points (default 90)
//! threshold = 0                 # satisficing: the metric reaches this (optional)
//! threshold_metric = "uptake_rate"   # ... on another metric (default: `metric`)
//! from_baseline = true          # ... as a difference from the baseline option (default false)
//! cases = ['"hub and spoke, impact" is best']   # for `orgsim discover` and the report
//! ```
//!
//! Cases (option names quoted; `baseline` names the scenario's baseline option):
//! - `"X" is best`, `"X" is not best` — by the regret metric's replicate mean at the point;
//! - `"X" beats "Y" [by D] [on METRIC]` — X's mean is better than Y's by more than D (0 by
//!   default; "better" follows the metric's direction);
//! - `METRIC [of "X"] below V`, `... above V` — of option X, or, without `of`, of every option
//!   (the outcome no option avoids).
//!
//! The section is checked when the scenario is loaded (exit 2 at the file and line) and read again
//! from the text a saved directory's manifest keeps, so `orgsim robustness DIR` needs nothing else.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::error::InputError;
use crate::suggest::did_you_mean;

/// The keys of `[robustness]`.
pub const KEYS: &[&str] = &[
    "metric",
    "percentile",
    "threshold",
    "threshold_metric",
    "from_baseline",
    "cases",
];

/// `[robustness]` as written.
pub type RawRobustness = IndexMap<Spanned<String>, Spanned<toml::Value>>;

/// Validated settings (see the module doc); CLI flags override them field by field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    pub metric: Option<String>,
    pub percentile: Option<f64>,
    pub threshold: Option<f64>,
    pub threshold_metric: Option<String>,
    pub from_baseline: bool,
    pub cases: Vec<String>,
}

/// A case of interest at a design point.
#[derive(Debug, Clone, PartialEq)]
pub enum Case {
    Best {
        option: String,
        negate: bool,
    },
    Beats {
        option: String,
        other: String,
        by: f64,
        metric: Option<String>,
    },
    Level {
        metric: String,
        option: Option<String>,
        above: bool,
        value: f64,
    },
}

/// What a case or setting may name.
pub struct Names<'a> {
    pub metrics: &'a [String],
    pub options: &'a [String],
    pub baseline: Option<&'a str>,
}

impl Names<'_> {
    fn metric(&self, name: &str) -> Result<String, String> {
        if self.metrics.iter().any(|m| m == name) {
            Ok(name.to_string())
        } else {
            Err(format!(
                "unknown metric \"{name}\"; metrics: {}{}",
                self.metrics.join(", "),
                did_you_mean(name, self.metrics.iter().map(String::as_str))
            ))
        }
    }

    fn option(&self, name: &str) -> Result<String, String> {
        if self.options.iter().any(|o| o == name) {
            Ok(name.to_string())
        } else {
            let quoted: Vec<String> = self.options.iter().map(|o| format!("\"{o}\"")).collect();
            Err(format!(
                "unknown option \"{name}\"; options: {}{}",
                quoted.join(", "),
                did_you_mean(name, self.options.iter().map(String::as_str))
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Quoted(String),
    Word(String),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some(q) if q == c => break,
                    Some(x) => s.push(x),
                    None => return Err(format!("an option name opened with {c} is not closed")),
                }
            }
            out.push(Token::Quoted(s));
        } else {
            let mut s = String::new();
            while let Some(&x) = chars.peek() {
                if x.is_whitespace() || x == '"' || x == '\'' {
                    break;
                }
                s.push(x);
                chars.next();
            }
            out.push(Token::Word(s));
        }
    }
    Ok(out)
}

const FORMS: &str = "cases read: \"X\" is best | \"X\" is not best | \"X\" beats \"Y\" [by D] [on METRIC] (Y may be baseline) | METRIC [of \"X\"] below V | METRIC [of \"X\"] above V";

/// Parses and checks one case definition; the error says what is allowed.
pub fn parse_case(text: &str, names: &Names) -> Result<Case, String> {
    let toks = tokens(text)?;
    let word = |i: usize| match toks.get(i) {
        Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
        _ => None,
    };
    let number = |i: usize| -> Result<f64, String> {
        match toks.get(i) {
            Some(Token::Word(w)) => w
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("\"{w}\" is not a number")),
            _ => Err("a number is missing at the end".to_string()),
        }
    };
    let bad = |why: &str| Err(format!("case \"{text}\": {why}; {FORMS}"));
    match toks.first() {
        Some(Token::Quoted(x)) => {
            let option = names
                .option(x)
                .map_err(|m| format!("case \"{text}\": {m}"))?;
            match word(1).as_deref() {
                Some("is") => match (word(2).as_deref(), word(3).as_deref(), toks.len()) {
                    (Some("best"), None, 3) => Ok(Case::Best {
                        option,
                        negate: false,
                    }),
                    (Some("not"), Some("best"), 4) => Ok(Case::Best {
                        option,
                        negate: true,
                    }),
                    _ => bad("after `is` comes `best` or `not best`"),
                },
                Some("beats") => {
                    let other = match toks.get(2) {
                        Some(Token::Quoted(y)) => names.option(y),
                        Some(Token::Word(w)) if w.eq_ignore_ascii_case("baseline") => {
                            match names.baseline.or(names.options.first().map(String::as_str)) {
                                Some(b) => Ok(b.to_string()),
                                None => Err("the scenario has no baseline option".to_string()),
                            }
                        }
                        _ => return bad("`beats` needs an option in quotes or `baseline`"),
                    }
                    .map_err(|m| format!("case \"{text}\": {m}"))?;
                    if other == option {
                        return bad("an option cannot beat itself");
                    }
                    let mut i = 3;
                    let mut by = 0.0;
                    let mut metric = None;
                    while i < toks.len() {
                        match word(i).as_deref() {
                            Some("by") => {
                                // "by more than D" reads naturally; "more than" adds nothing.
                                if word(i + 1).as_deref() == Some("more")
                                    && word(i + 2).as_deref() == Some("than")
                                {
                                    i += 2;
                                }
                                by = number(i + 1).map_err(|m| format!("case \"{text}\": {m}"))?;
                                if by < 0.0 {
                                    return bad("the margin `by D` must be 0 or more");
                                }
                                i += 2;
                            }
                            Some("on") => {
                                let Some(Token::Word(m)) = toks.get(i + 1) else {
                                    return bad("`on` needs a metric name");
                                };
                                metric = Some(
                                    names
                                        .metric(m)
                                        .map_err(|e| format!("case \"{text}\": {e}"))?,
                                );
                                i += 2;
                            }
                            _ => return bad("after the two options come `by D` and `on METRIC`"),
                        }
                    }
                    Ok(Case::Beats {
                        option,
                        other,
                        by,
                        metric,
                    })
                }
                _ => bad("after the option comes `is best`, `is not best` or `beats`"),
            }
        }
        Some(Token::Word(m)) => {
            let metric = names
                .metric(m)
                .map_err(|e| format!("case \"{text}\": {e}; {FORMS}"))?;
            let mut i = 1;
            let mut option = None;
            if word(1).as_deref() == Some("of") {
                let Some(Token::Quoted(x)) = toks.get(2) else {
                    return bad("`of` needs an option name in quotes");
                };
                option = Some(
                    names
                        .option(x)
                        .map_err(|e| format!("case \"{text}\": {e}"))?,
                );
                i = 3;
            }
            let above = match word(i).as_deref() {
                Some("above") => true,
                Some("below") => false,
                _ => return bad("a metric case needs `below V` or `above V`"),
            };
            let value = number(i + 1).map_err(|e| format!("case \"{text}\": {e}"))?;
            if toks.len() != i + 2 {
                return bad("nothing may follow the value");
            }
            Ok(Case::Level {
                metric,
                option,
                above,
                value,
            })
        }
        None => bad("it is empty"),
    }
}

/// Validates `[robustness]`; `place(offset)` gives `file:line:col` for a byte offset of the text.
pub fn validate(
    raw: &RawRobustness,
    names: &Names,
    place: &dyn Fn(usize) -> String,
) -> Result<Settings, InputError> {
    let at = |v: &Spanned<toml::Value>, m: String| {
        InputError::new(place(v.span().start), format!("[robustness] {m}"))
    };
    let mut s = Settings::default();
    for (key, value) in raw {
        let k = key.get_ref().as_str();
        match k {
            "metric" | "threshold_metric" => {
                let Some(name) = value.get_ref().as_str() else {
                    return Err(at(value, format!("`{k}` must be a metric name in quotes")));
                };
                let name = names
                    .metric(name)
                    .map_err(|m| at(value, format!("`{k}`: {m}")))?;
                if k == "metric" {
                    s.metric = Some(name);
                } else {
                    s.threshold_metric = Some(name);
                }
            }
            "percentile" | "threshold" => {
                let x = match value.get_ref() {
                    toml::Value::Integer(i) => *i as f64,
                    toml::Value::Float(x) if x.is_finite() => *x,
                    other => {
                        return Err(at(value, format!("`{k}` must be a number, not {other}")));
                    }
                };
                if k == "percentile" {
                    if !(0.0..=100.0).contains(&x) {
                        return Err(at(
                            value,
                            format!("`percentile` = {x} must lie from 0 to 100"),
                        ));
                    }
                    s.percentile = Some(x);
                } else {
                    s.threshold = Some(x);
                }
            }
            "from_baseline" => {
                s.from_baseline = value
                    .get_ref()
                    .as_bool()
                    .ok_or_else(|| at(value, "`from_baseline` must be true or false".into()))?;
            }
            "cases" => {
                let Some(items) = value.get_ref().as_array() else {
                    return Err(at(value, "`cases` must be a list of case definitions in quotes, e.g. ['\"X\" is best']".into()));
                };
                for item in items {
                    let Some(text) = item.as_str() else {
                        return Err(at(
                            value,
                            format!("`cases` holds {item}, not a case in quotes"),
                        ));
                    };
                    parse_case(text, names).map_err(|m| at(value, m))?;
                    s.cases.push(text.to_string());
                }
            }
            _ => {
                return Err(InputError::new(
                    place(key.span().start),
                    format!(
                        "unknown key `{k}` in [robustness]; allowed: {}{}",
                        KEYS.join(", "),
                        did_you_mean(k, KEYS.iter().copied())
                    ),
                ));
            }
        }
    }
    if s.threshold.is_none() && (s.threshold_metric.is_some() || s.from_baseline) {
        return Err(InputError::new(
            place(raw.keys().next().map_or(0, |k| k.span().start)),
            "[robustness] `threshold_metric` and `from_baseline` describe a `threshold`; give one (e.g. threshold = 0)",
        ));
    }
    Ok(s)
}

#[derive(Deserialize)]
struct OnlyRobustness {
    robustness: Option<RawRobustness>,
}

/// `[robustness]` read again from a saved scenario's text (`file` names it in messages).
pub fn from_text(file: &str, text: &str, names: &Names) -> Result<Settings, InputError> {
    let raw: OnlyRobustness = toml::from_str(text)
        .map_err(|e| InputError::new(file, format!("cannot read [robustness]: {e}")))?;
    let place = |offset: usize| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        format!("{file}:{line}")
    };
    match raw.robustness {
        Some(r) => validate(&r, names, &place),
        None => Ok(Settings::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> (Vec<String>, Vec<String>) {
        (
            vec!["value_added".into(), "trust".into()],
            vec!["status quo".into(), "hub, impact".into()],
        )
    }

    #[test]
    fn cases_parse() {
        let (m, o) = names();
        let n = Names {
            metrics: &m,
            options: &o,
            baseline: Some("status quo"),
        };
        assert_eq!(
            parse_case(
                "\"hub, impact\" beats baseline by more than 0.5 on trust",
                &n
            ),
            Ok(Case::Beats {
                option: "hub, impact".into(),
                other: "status quo".into(),
                by: 0.5,
                metric: Some("trust".into())
            })
        );
        assert_eq!(
            parse_case("'hub, impact' is not best", &n),
            Ok(Case::Best {
                option: "hub, impact".into(),
                negate: true
            })
        );
        assert_eq!(
            parse_case("value_added below 0", &n),
            Ok(Case::Level {
                metric: "value_added".into(),
                option: None,
                above: false,
                value: 0.0
            })
        );
        let e = parse_case("valu_added of \"status quo\" below 0", &n).unwrap_err();
        assert!(e.contains("did you mean \"value_added\""), "{e}");
        let e = parse_case("\"hub impact\" is best", &n).unwrap_err();
        assert!(e.contains("did you mean \"hub, impact\""), "{e}");
        assert!(parse_case("\"status quo\" is good", &n).is_err());
    }
}
