//! Scenario files: TOML text → raw form (serde) → validated [`Scenario`] with its expanded points.
//!
//! Nothing downstream sees an unvalidated value: every parameter is checked against its model's
//! declaration here, once, and every error names the file, line and column, what is allowed, and a
//! did-you-mean for near misses.

pub mod design;
pub mod limits;
pub mod replication;
pub mod robust;
pub mod sampling;
pub mod space;

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::executor::{Plan, Point};
use crate::engine::params::{Domain, Group, ParamSpec, Params, StopRule, Value, quoted_list};
use crate::engine::{Model, ScheduledChange};
use crate::error::InputError;
use crate::models;
use crate::suggest::did_you_mean;
use design::{Axis, Mode};

type Table = IndexMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: RawHeader,
    #[serde(default)]
    params: Table,
    #[serde(default)]
    sweep: Table,
    #[serde(default, rename = "option")]
    options: Vec<RawOption>,
    #[serde(default)]
    schedule: Vec<RawSchedule>,
    design: Option<space::RawDesign>,
    robustness: Option<robust::RawRobustness>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    model: Spanned<String>,
    /// A whole number or an adaptive rule (a table), read by [`replication`].
    replications: Option<Spanned<toml::Value>>,
    seed: Option<Spanned<i64>>,
    ticks: Option<Spanned<i64>>,
    stop: Option<Spanned<String>>,
    record_every: Option<Spanned<i64>>,
    baseline: Option<Spanned<String>>,
    /// Read as any value so that a wrong type gets this crate's message, not serde's.
    per_unit: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    #[serde(default)]
    set: Table,
    #[serde(default)]
    schedule: Vec<RawSchedule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    at: Spanned<i64>,
    set: Table,
}

const HEADER_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "replications",
    "seed",
    "ticks",
    "stop",
    "record_every",
    "baseline",
    "per_unit",
];
const TOP_KEYS: &[&str] = &[
    "scenario",
    "params",
    "sweep",
    "option",
    "schedule",
    "design",
    "robustness",
];
/// The longest scenario name: it names the output folder, which gets a staging prefix and shard
/// suffixes (`.NAME.shard-K-of-N.partial`) within a file system's 255 bytes.
pub const MAX_SCENARIO_NAME: usize = 100;

/// The longest option name (it labels table rows and figure legends).
pub const MAX_OPTION_NAME: usize = 200;

/// What a text cell may not begin with: a spreadsheet reads such a cell as a formula.
pub const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

const OPTION_KEYS: &[&str] = &["name", "description", "set", "schedule"];
const SCHEDULE_KEYS: &[&str] = &["at", "set"];

/// A named option: a set of parameter values (and changes over time) a leader might choose.
#[derive(Debug, Clone)]
pub struct OptionSpec {
    pub name: String,
    pub description: String,
    pub set: Vec<(&'static str, Value)>,
    pub schedule: Vec<ScheduledChange>,
}

/// Command-line changes to a scenario, validated like the file itself.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub replications: Option<u64>,
    pub seed: Option<u64>,
    /// `NAME=VALUE` strings from `--set`.
    pub set: Vec<String>,
    /// `--per-unit`: turns the per-unit output on whatever the file says.
    pub per_unit: bool,
    /// `--allow-large`: lifts the limits on runs, ticks and output size (see [`limits`]).
    pub allow_large: bool,
}

/// A validated scenario, with every point expanded.
#[derive(Clone)]
pub struct Scenario {
    pub file: PathBuf,
    /// The file's text as given, kept for the manifest.
    pub text: String,
    pub name: String,
    pub description: String,
    pub model: &'static dyn Model,
    /// Replicates per point; with an adaptive rule, its `max` (the run ids are those of a fixed
    /// run with `max` replicates, of which each point runs a prefix).
    pub replications: u64,
    /// The adaptive replication rule, when `replications` is a table (and no `--replications`).
    pub adaptive: Option<crate::engine::adaptive::Rule>,
    pub seed: u64,
    pub ticks: u64,
    pub stop: Option<StopRule>,
    pub record_every: u64,
    pub baseline: Option<String>,
    /// Whether runs also write the per-unit output (`units.csv`); only for models with per-unit metrics.
    pub per_unit: bool,
    pub base: Params,
    pub mode: Mode,
    pub axes: Vec<Axis>,
    pub options: Vec<OptionSpec>,
    pub schedule: Vec<ScheduledChange>,
    /// The sampling design, when the scenario has `[design]` instead of `[sweep]`.
    pub design: Option<space::Design>,
    pub points: Vec<Point>,
    /// Points, runs, ticks and expected output, as counted (and checked against the limits)
    /// before the points were expanded: what `run --dry-run` prints.
    pub size: limits::Size,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("model", &self.model.name())
            .field("points", &self.points.len())
            .finish()
    }
}

impl Scenario {
    /// The indices of the parameters the tables record, in declaration order: every lever and
    /// context parameter, and each internal constant or price that a point or a schedule sets
    /// (so a scenario that leaves the constants alone has the columns it always had).
    pub fn recorded_params(&self) -> Vec<usize> {
        let scheduled = |name: &str| {
            self.points
                .iter()
                .flat_map(|p| &p.schedule)
                .any(|change| change.set.iter().any(|(n, _)| *n == name))
        };
        self.base
            .specs()
            .iter()
            .enumerate()
            .filter(|(i, spec)| {
                spec.group != Group::Constant
                    || self.points.iter().any(|p| p.params.is_explicit(*i))
                    || scheduled(spec.name)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Parameters whose value differs between points, in declaration order.
    pub fn varying_params(&self) -> Vec<&'static str> {
        self.base
            .specs()
            .iter()
            .filter(|spec| {
                let first = self.points.first().and_then(|p| p.params.get(spec.name));
                self.points.iter().any(|p| p.params.get(spec.name) != first)
            })
            .map(|spec| spec.name)
            .collect()
    }

    pub fn has_options(&self) -> bool {
        !self.options.is_empty()
    }

    /// The groups an adaptive rule decides together: each setting of the sweep (or design row)
    /// with every option at it, the baseline (named, else the first option) judged against; or,
    /// without options, each point alone.
    pub fn adaptive_groups(&self) -> Vec<crate::engine::adaptive::Group> {
        use crate::engine::adaptive::Group;
        if self.options.is_empty() {
            return (0..self.points.len())
                .map(|p| Group {
                    points: vec![p],
                    baseline: None,
                })
                .collect();
        }
        // Points are expanded option by option (the option slowest).
        let rows = self.points.len() / self.options.len();
        let baseline = self
            .baseline
            .as_ref()
            .and_then(|b| self.options.iter().position(|o| &o.name == b))
            .unwrap_or(0);
        (0..rows)
            .map(|row| Group {
                points: (0..self.options.len()).map(|o| o * rows + row).collect(),
                baseline: Some(baseline),
            })
            .collect()
    }

    /// The execution plan of every point × every replicate.
    pub fn plan(&self) -> Plan<'_> {
        Plan {
            model: self.model,
            points: &self.points,
            replications: self.replications,
            master_seed: self.seed,
            ticks: self.ticks,
            stop: self.stop,
            record_every: self.record_every,
            per_unit: self.per_unit,
        }
    }
}

/// Reads and validates a scenario file.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Scenario, InputError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::new(
            shown,
            "is a directory, not a scenario file (give a .toml file)",
        ));
    }
    let text = read_capped(path, &shown)?;
    parse(path, &text, overrides)
}

/// The text of `path`, refused unread above [`limits::MAX_FILE_BYTES`] (a huge file, `/dev/zero`),
/// and refused with the position of the first bad byte if it is not UTF-8.
fn read_capped(path: &Path, shown: &str) -> Result<String, InputError> {
    use std::io::Read as _;
    let why = |e: std::io::Error| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        InputError::new(shown, format!("cannot read the scenario: {why}"))
    };
    let file = std::fs::File::open(path).map_err(why)?;
    let mut bytes = Vec::new();
    file.take(limits::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(why)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(InputError::new(
            shown,
            format!(
                "cannot read the scenario: it is larger than {} MiB, the most a scenario file may be",
                limits::MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..at]);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        InputError::new(
            format!("{shown}:{line}:{col}"),
            format!(
                "the scenario is not UTF-8 text (scenarios are TOML text): byte 0x{:02x} here (byte offset {at}) is the first that is not valid UTF-8",
                bytes[at]
            ),
        )
    })
}

/// Validates scenario `text` as if read from `path`.
pub fn parse(path: &Path, text: &str, overrides: &Overrides) -> Result<Scenario, InputError> {
    let ctx = Ctx {
        file: path.display().to_string(),
        text,
    };
    ctx.refuse_control_characters()?;
    let raw: RawFile = toml::from_str(text).map_err(|e| ctx.toml_error(&e))?;
    ctx.build(path, raw, overrides)
}

struct Ctx<'a> {
    file: String,
    text: &'a str,
}

impl Ctx<'_> {
    /// `file:line:col` for a byte offset.
    fn place(&self, offset: usize) -> String {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}", self.file)
    }

    fn at<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> InputError {
        InputError::new(self.place(spanned.span().start), message)
    }

    /// Refuses control characters (ESC, a carriage return, a bell, and newlines and tabs unless
    /// `multiline`) in free text that is echoed to a terminal or written to a CSV cell.
    fn check_text(
        &self,
        text: &Spanned<String>,
        what: &str,
        multiline: bool,
    ) -> Result<(), InputError> {
        let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
        if let Some((at, c)) = text
            .get_ref()
            .chars()
            .enumerate()
            .find(|&(_, c)| !allowed(c))
        {
            return Err(self.at(
                text,
                format!(
                    "{what} \"{}\" holds the control character U+{:04X} at character {}; {}",
                    text.get_ref().escape_debug(),
                    c as u32,
                    at + 1,
                    if multiline {
                        "text may hold any printable character, spaces, tabs and newlines, not other control characters such as ESC or a carriage return"
                    } else {
                        "a name may hold any printable character and spaces, not control characters such as newlines, tabs or ESC"
                    }
                ),
            ));
        }
        Ok(())
    }

    /// An option's name is a text cell of every CSV file: printable, of bounded length, and not
    /// starting like a spreadsheet formula (`=`, `+`, `-`, `@`), which a spreadsheet would run.
    fn check_option_name(&self, name: &Spanned<String>) -> Result<(), InputError> {
        self.check_text(name, "the option name", false)?;
        let text = name.get_ref().trim();
        if let Some(first) = text.chars().next().filter(|c| FORMULA_STARTS.contains(c)) {
            let rest = text[first.len_utf8()..].trim_start();
            return Err(self.at(
                name,
                format!(
                    "the option name \"{text}\" begins with `{first}`, which a spreadsheet opening the CSV files would read as a formula; begin it with a letter or digit, e.g. \"{}\"",
                    match first {
                        '+' => format!("plus {rest}"),
                        '-' => format!("minus {rest}"),
                        _ => rest.to_string(),
                    }
                ),
            ));
        }
        let length = text.chars().count();
        if length > MAX_OPTION_NAME {
            return Err(self.at(
                name,
                format!(
                    "the option name is {length} characters long; at most {MAX_OPTION_NAME} are allowed (it labels tables and figures; put the detail in `description`)"
                ),
            ));
        }
        Ok(())
    }

    /// TOML allows no raw control character but tab and line breaks, not even in a comment, and
    /// the TOML parser says only what it expected there: name the character and what to write.
    fn refuse_control_characters(&self) -> Result<(), InputError> {
        let bad = |c: char| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r');
        match self.text.char_indices().find(|&(_, c)| bad(c)) {
            Some((at, c)) => Err(InputError::new(
                self.place(at),
                format!(
                    "the control character U+{:04X} is not allowed in a scenario file, not even in a comment (TOML allows only tabs and line breaks); inside quotes write it as \\u{:04X}, otherwise delete it",
                    c as u32, c as u32
                ),
            )),
            None => Ok(()),
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> InputError {
        let place = match e.span() {
            Some(span) => self.place(span.start),
            None => self.file.clone(),
        };
        let mut message = e.message().trim().to_string();
        // serde says "unknown field `x`, expected one of ..."; add the nearest valid key.
        if let Some(rest) = message.strip_prefix("unknown field `") {
            if let Some(name) = rest.split('`').next() {
                // The tables share some keys (`name`, `description`, `set`): list each once.
                // Only the expected keys, not the unknown one the message also quotes.
                let expected = rest.split_once("expected").map_or("", |(_, e)| e);
                let mut allowed: Vec<&str> = Vec::new();
                for k in [
                    HEADER_KEYS,
                    TOP_KEYS,
                    OPTION_KEYS,
                    SCHEDULE_KEYS,
                    space::DESIGN_KEYS,
                ]
                .concat()
                {
                    if expected.contains(&format!("`{k}`")) && !allowed.contains(&k) {
                        allowed.push(k);
                    }
                }
                let hint = if allowed.contains(&"scenario") && HEADER_KEYS.contains(&name) {
                    format!("; `{name}` belongs in the [scenario] table")
                } else {
                    did_you_mean(name, allowed.iter().copied())
                };
                message = format!(
                    "unknown key `{name}`; allowed here: {}{hint}",
                    allowed.join(", ")
                );
            }
        } else if message.starts_with("missing field") {
            message = message.replacen("missing field", "missing key", 1);
        } else if e.span().is_none() || !message.contains("invalid type") {
            message = format!("not a valid scenario file: {message}");
        }
        InputError::new(place, plain_type_names(&message))
    }

    fn build(
        &self,
        path: &Path,
        raw: RawFile,
        overrides: &Overrides,
    ) -> Result<Scenario, InputError> {
        let header = &raw.scenario;
        let model = models::find(header.model.get_ref()).ok_or_else(|| {
            self.at(
                &header.model,
                format!(
                    "unknown model \"{}\"; known models: {}{}",
                    header.model.get_ref(),
                    models::names().join(", "),
                    did_you_mean(header.model.get_ref(), models::names())
                ),
            )
        })?;
        let name = header.name.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.at(&header.name, format!("scenario name \"{name}\" may hold only letters, digits, - and _ (it names the output folder)")));
        }
        if name.len() > MAX_SCENARIO_NAME {
            return Err(self.at(
                &header.name,
                format!(
                    "the scenario name is {} characters long; at most {MAX_SCENARIO_NAME} are allowed (it names the output folder, and a file system refuses longer names once orgsim adds its staging and shard suffixes)",
                    name.len()
                ),
            ));
        }
        if let Some(description) = &header.description {
            self.check_text(description, "the scenario's description", true)?;
        }
        // `--replications N` replaces the file's setting, an adaptive rule included.
        let replication = match (overrides.replications, &header.replications) {
            (Some(0), _) => return Err(InputError::new("--replications", "must be at least 1")),
            (Some(r), _) => replication::Replication::Fixed(r),
            (None, Some(r)) => self.replication(model, r)?,
            (None, None) => replication::Replication::Fixed(1),
        };
        let (replications, adaptive) = match replication {
            replication::Replication::Fixed(r) => (r, None),
            replication::Replication::Adaptive(rule) => (rule.max, Some(rule)),
        };
        if let (Some(_), Some(_), Some(r)) = (&adaptive, &raw.design, &header.replications) {
            return Err(self.at(
                r,
                "adaptive replication is not available with a [design] yet (the sensitivity and robustness analyses assume every design point has the same replicates); give a whole number of replications",
            ));
        }
        let seed = match (overrides.seed, &header.seed) {
            (Some(s), _) => s,
            (None, Some(s)) if *s.get_ref() < 0 => {
                return Err(self.at(
                    s,
                    format!("seed = {} must be a whole number from 0 up", s.get_ref()),
                ));
            }
            (None, Some(s)) => *s.get_ref() as u64,
            (None, None) => 0,
        };
        let ticks = match &header.ticks {
            Some(t) if *t.get_ref() < 1 => {
                return Err(self.at(t, format!("ticks = {} must be at least 1", t.get_ref())));
            }
            Some(t) => *t.get_ref() as u64,
            None => model.default_ticks(),
        };
        let record_every = match &header.record_every {
            Some(r) if *r.get_ref() < 0 => {
                return Err(self.at(
                    r,
                    format!(
                        "record_every = {} must be 0 (final values only) or more",
                        r.get_ref()
                    ),
                ));
            }
            Some(r) => *r.get_ref() as u64,
            None => 1,
        };
        let stop = match &header.stop {
            None => None,
            Some(s) => {
                let rules: Vec<&'static str> = model.stop_rules().iter().map(|r| r.name).collect();
                match model.stop_rules().iter().find(|r| r.name == s.get_ref()) {
                    Some(rule) => Some(*rule),
                    None if rules.is_empty() => {
                        return Err(self.at(s, format!("model {} has no stopping rule; remove `stop` (runs last `ticks` periods)", model.name())));
                    }
                    None => {
                        return Err(self.at(
                            s,
                            format!(
                                "unknown stop rule \"{}\" for model {}; it has: {}{}",
                                s.get_ref(),
                                model.name(),
                                quoted_list(&rules),
                                did_you_mean(s.get_ref(), rules.iter().copied())
                            ),
                        ));
                    }
                }
            }
        };

        let per_unit = self.per_unit(model, header.per_unit.as_ref(), overrides.per_unit)?;

        let mut base = Params::defaults(model.params());
        for (key, value) in &raw.params {
            let (spec, value) = self.param(model, key, value)?;
            base.set(spec.name, value);
        }

        let design = match &raw.design {
            Some(d) => Some(self.design(model, d, &raw.params, &raw.sweep)?),
            None => None,
        };
        let (mode, axes, mut axis_at) = self.sweep(model, &raw.sweep, &raw.params, &mut base)?;
        let mut lens: Vec<usize> = axes.iter().map(|a| a.values.len()).collect();
        let mut varied = axes.len();
        if let (Some(d), Some(raw_design)) = (&design, &raw.design) {
            lens = vec![d.size()];
            varied = d.factors.len();
            axis_at = Some(raw_design.method_at());
        }
        let size = self.check_size(
            header,
            overrides,
            &limits::Demand {
                grid: mode == Mode::Grid,
                options: raw.options.len(),
                replications,
                ticks,
                record_every,
                run_columns: 3 + varied as u64 + model.metrics().len() as u64,
                series_columns: 3 + model.metrics().len() as u64,
            },
            &lens,
            axis_at,
        )?;
        // Where each scheduled change was written, so a change that breaks a constraint at some
        // point is reported at its line.
        let mut written = Vec::new();
        let schedule = self.schedule(model, &raw.schedule, ticks, &mut written)?;
        let mut options = Vec::new();
        let mut option_names = std::collections::HashSet::new();
        for option in &raw.options {
            let option_name = option.name.get_ref().trim();
            if option_name.is_empty() {
                return Err(self.at(&option.name, "an option needs a non-empty name"));
            }
            self.check_option_name(&option.name)?;
            if let Some(description) = &option.description {
                self.check_text(description, "an option's description", true)?;
            }
            if !option_names.insert(option_name) {
                return Err(self.at(
                    &option.name,
                    format!("two options are named \"{option_name}\"; names must be unique"),
                ));
            }
            let mut set = Vec::new();
            for (key, value) in &option.set {
                let (spec, value) = self.param(model, key, value)?;
                if axes.iter().any(|a| a.param == spec.name) {
                    return Err(self.at(
                        key,
                        format!(
                            "`{}` is swept in [sweep]; an option cannot also set it",
                            spec.name
                        ),
                    ));
                }
                if let (Some(d), Some(raw_design)) = (&design, &raw.design)
                    && d.factors.iter().any(|f| f.param == spec.name)
                {
                    return Err(self.at(
                        key,
                        format!(
                            "`{}` is set by option \"{option_name}\" here and varied in [design.space] (line {}); keep one",
                            spec.name,
                            raw_design.line_of_param(self, spec.name)
                        ),
                    ));
                }
                set.push((spec.name, value));
            }
            let mut option_schedule = schedule.clone();
            option_schedule.extend(self.schedule(model, &option.schedule, ticks, &mut written)?);
            option_schedule.sort_by_key(|c| c.at);
            options.push(OptionSpec {
                name: option_name.to_string(),
                description: option
                    .description
                    .as_ref()
                    .map(|d| d.get_ref().clone())
                    .unwrap_or_default(),
                set,
                schedule: option_schedule,
            });
        }
        let baseline = match &header.baseline {
            None => None,
            Some(b) if options.iter().any(|o| &o.name == b.get_ref()) => Some(b.get_ref().clone()),
            Some(b) if options.is_empty() => {
                return Err(self.at(
                    b,
                    "`baseline` names an option, but the scenario has no [[option]]s",
                ));
            }
            Some(b) => {
                let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
                return Err(self.at(
                    b,
                    format!(
                        "baseline \"{}\" is not an option; options: {}{}",
                        b.get_ref(),
                        quoted_list(&names),
                        did_you_mean(b.get_ref(), names.iter().copied())
                    ),
                ));
            }
        };
        if let Some(raw_robustness) = &raw.robustness {
            self.robustness(raw_robustness, model, &raw, &options, baseline.as_deref())?;
        }

        let mut fixed_elsewhere: Vec<&'static str> = axes.iter().map(|a| a.param).collect();
        if let Some(d) = &design {
            fixed_elsewhere.extend(d.factors.iter().map(|f| f.param));
        }
        apply_set_flags(
            model,
            &overrides.set,
            &mut base,
            &axes,
            &fixed_elsewhere,
            &options,
        )?;

        let points = match &design {
            Some(d) => design::expand_rows(
                &base,
                &d.rows(),
                &options,
                &schedule,
                !d.common_random_numbers,
            ),
            None => design::expand(&base, mode, &axes, &options, &schedule),
        };
        for point in &points {
            self.check_point(model, point, &written)?;
        }
        Ok(Scenario {
            file: path.to_path_buf(),
            text: self.text.to_string(),
            name: name.clone(),
            description: header
                .description
                .as_ref()
                .map_or("", |d| d.get_ref().trim())
                .to_string(),
            model,
            replications,
            adaptive,
            seed,
            ticks,
            stop,
            record_every,
            baseline,
            per_unit,
            base,
            mode,
            axes,
            options,
            schedule,
            design,
            points,
            size,
        })
    }

    /// Checks `[robustness]` (regret and scenario discovery, `analysis::robustness`): it needs a
    /// `[design]` and at least two options, and its names must exist.
    fn robustness(
        &self,
        raw: &robust::RawRobustness,
        model: &dyn Model,
        file: &RawFile,
        options: &[OptionSpec],
        baseline: Option<&str>,
    ) -> Result<robust::Settings, InputError> {
        let first = raw.keys().next().map_or(0, |k| k.span().start);
        if file.design.is_none() || options.len() < 2 {
            return Err(InputError::new(
                self.place(first),
                "[robustness] compares options across a design: the scenario needs a [design] and at least two [[option]]s",
            ));
        }
        let metrics: Vec<String> = model.metrics().iter().map(|m| m.name.to_string()).collect();
        let option_names: Vec<String> = options.iter().map(|o| o.name.clone()).collect();
        let names = robust::Names {
            metrics: &metrics,
            options: &option_names,
            baseline,
        };
        robust::validate(raw, &names, &|offset| self.place(offset))
    }

    /// Whether the per-unit output is on: `per_unit = true|false` in `[scenario]`, turned on by
    /// `--per-unit`; refused for a model that declares no per-unit metrics.
    fn per_unit(
        &self,
        model: &dyn Model,
        key: Option<&Spanned<toml::Value>>,
        flag: bool,
    ) -> Result<bool, InputError> {
        let from_file = match key {
            None => false,
            Some(v) => match v.get_ref() {
                toml::Value::Boolean(b) => *b,
                other => {
                    return Err(self.at(
                        v,
                        format!(
                            "`per_unit` takes true or false (no quotes), not {other}; true also writes each unit's own metrics to units.csv"
                        ),
                    ));
                }
            },
        };
        if (from_file || flag) && model.unit_metrics().is_empty() {
            let with: Vec<&str> = models::all()
                .iter()
                .filter(|m| !m.unit_metrics().is_empty())
                .map(|m| m.name())
                .collect();
            let why = format!(
                "model {} has no per-unit metrics, so there is no per-unit output (models that have one: {})",
                model.name(),
                with.join(", ")
            );
            // Name every place that asked, so that one fix is enough.
            return Err(match key {
                Some(v) if from_file => {
                    let fix = if flag {
                        "remove `per_unit` from the file and drop --per-unit"
                    } else {
                        "remove `per_unit` or set it to false"
                    };
                    self.at(v, format!("{why}; {fix}"))
                }
                _ => InputError::new("--per-unit", format!("{why}; drop --per-unit")),
            });
        }
        Ok(from_file || flag)
    }

    /// A `name = value` pair checked against the model's declaration.
    fn param(
        &self,
        model: &dyn Model,
        key: &Spanned<String>,
        value: &Spanned<toml::Value>,
    ) -> Result<(&'static ParamSpec, Value), InputError> {
        let spec = find_param(model, key.get_ref()).map_err(|m| self.at(key, m))?;
        let converted = convert(spec, value.get_ref()).map_err(|m| {
            self.at(
                value,
                format!("`{}`: {m}; it takes {}", spec.name, spec.domain.allowed()),
            )
        })?;
        let checked = spec.check(&converted).map_err(|e| self.at(value, e.0))?;
        Ok((spec, checked))
    }

    fn sweep(
        &self,
        model: &dyn Model,
        table: &Table,
        params_table: &Table,
        base: &mut Params,
    ) -> Result<(Mode, Vec<Axis>, Option<usize>), InputError> {
        let mut mode = Mode::Grid;
        let mut axes: Vec<Axis> = Vec::new();
        let mut spans = Vec::new();
        for (key, value) in table {
            if key.get_ref() == "mode" {
                mode = match value.get_ref() {
                    toml::Value::String(s) if s == "grid" => Mode::Grid,
                    toml::Value::String(s) if s == "zip" => Mode::Zip,
                    other => {
                        let s = other.as_str().unwrap_or("");
                        return Err(self.at(
                            value,
                            format!(
                                "sweep mode must be \"grid\" or \"zip\", not {other}{}",
                                did_you_mean(s, ["grid", "zip"])
                            ),
                        ));
                    }
                };
                continue;
            }
            let spec = find_param(model, key.get_ref()).map_err(|m| self.at(key, m))?;
            if let Some(fixed) = params_table.keys().find(|k| k.get_ref() == key.get_ref()) {
                return Err(self.at(
                    key,
                    format!(
                        "`{}` is set in [params] (line {}) and swept here; keep one",
                        spec.name,
                        self.place(fixed.span().start)
                            .rsplit(':')
                            .nth(1)
                            .unwrap_or("?")
                    ),
                ));
            }
            let values = match value.get_ref() {
                toml::Value::Array(items) => {
                    if items.is_empty() {
                        return Err(self.at(
                            value,
                            format!(
                                "the sweep of `{}` is empty; give at least one value",
                                spec.name
                            ),
                        ));
                    }
                    let mut values = Vec::new();
                    for item in items {
                        let v = convert(spec, item).map_err(|m| {
                            self.at(
                                value,
                                format!("`{}`: {m}; it takes {}", spec.name, spec.domain.allowed()),
                            )
                        })?;
                        values.push(spec.check(&v).map_err(|e| self.at(value, e.0))?);
                    }
                    values
                }
                toml::Value::Table(range) => {
                    let values = design::range(spec, range).map_err(|m| {
                        self.at(value, format!("the sweep of `{}`: {m}", spec.name))
                    })?;
                    let mut checked = Vec::new();
                    for v in values {
                        checked.push(spec.check(&v).map_err(|e| self.at(value, e.0))?);
                    }
                    checked
                }
                scalar => {
                    let v = convert(spec, scalar).map_err(|m| {
                        self.at(
                            value,
                            format!("`{}`: {m}; it takes {}", spec.name, spec.domain.allowed()),
                        )
                    })?;
                    base.set(spec.name, spec.check(&v).map_err(|e| self.at(value, e.0))?);
                    continue;
                }
            };
            axes.push(Axis {
                param: spec.name,
                values,
            });
            spans.push(value.span().start);
        }
        if mode == Mode::Grid {
            for (axis, &at) in axes.iter().zip(&spans) {
                if let Some(dup) = design::first_duplicate(&axis.values) {
                    return Err(InputError::new(
                        self.place(at),
                        format!(
                            "the sweep of `{}` lists {dup} twice; each value once",
                            axis.param
                        ),
                    ));
                }
            }
        }
        if mode == Mode::Zip {
            if let Some(first) = axes.first()
                && let Some(other) = axes.iter().find(|a| a.values.len() != first.values.len())
            {
                return Err(InputError::new(
                    self.file.clone(),
                    format!(
                        "a zip sweep pairs values one by one, so every list needs the same length: `{}` has {}, `{}` has {}",
                        first.param,
                        first.values.len(),
                        other.param,
                        other.values.len()
                    ),
                ));
            }
            let tuples: Vec<Value> = (0..axes.first().map_or(0, |a| a.values.len()))
                .map(|i| {
                    Value::Text(
                        axes.iter()
                            .map(|a| a.values[i].to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .collect();
            if let Some(dup) = design::first_duplicate(&tuples) {
                return Err(InputError::new(
                    self.file.clone(),
                    format!("the zip sweep gives the point ({dup}) twice; each point once"),
                ));
            }
        }
        Ok((mode, axes, spans.first().copied()))
    }

    /// Refuses a sweep above the [`limits`], counted from the axes' lengths before any point is
    /// expanded; the error names the line (or flag) that sets the count that is too large.
    fn check_size(
        &self,
        header: &RawHeader,
        overrides: &Overrides,
        demand: &limits::Demand,
        lens: &[usize],
        axis_at: Option<usize>,
    ) -> Result<limits::Size, InputError> {
        limits::check(demand, lens, overrides.allow_large).map_err(|refusal| {
            let line_of =
                |at: Option<usize>| at.map_or_else(|| self.file.clone(), |at| self.place(at));
            let place = match refusal.which {
                limits::Which::Points => line_of(axis_at),
                limits::Which::Runs if overrides.replications.is_some() => {
                    "--replications".to_string()
                }
                limits::Which::Runs => line_of(
                    header
                        .replications
                        .as_ref()
                        .map(|r| r.span().start)
                        .or(axis_at),
                ),
                limits::Which::Ticks => line_of(header.ticks.as_ref().map(|t| t.span().start)),
                limits::Which::Output => line_of(
                    header
                        .record_every
                        .as_ref()
                        .or(header.ticks.as_ref())
                        .map(|r| r.span().start),
                ),
            };
            InputError::new(place, refusal.message)
        })
    }

    /// The validated changes of `raw`, sorted by tick; each is also added to `written` with the
    /// byte offset of its `at`.
    fn schedule(
        &self,
        model: &dyn Model,
        raw: &[RawSchedule],
        ticks: u64,
        written: &mut Vec<(ScheduledChange, usize)>,
    ) -> Result<Vec<ScheduledChange>, InputError> {
        let mut out = Vec::new();
        for entry in raw {
            let at = *entry.at.get_ref();
            if at < 1 || at as u64 > ticks {
                return Err(self.at(&entry.at, format!("schedule `at = {at}` must be a tick from 1 to {ticks} (the scenario's ticks)")));
            }
            let mut set = Vec::new();
            for (key, value) in &entry.set {
                let (spec, value) = self.param(model, key, value)?;
                if !spec.schedulable {
                    let allowed: Vec<&str> = model
                        .params()
                        .iter()
                        .filter(|p| p.schedulable)
                        .map(|p| p.name)
                        .collect();
                    let message = if allowed.is_empty() {
                        format!(
                            "model {} has no parameters that can change mid-run",
                            model.name()
                        )
                    } else {
                        format!(
                            "`{}` cannot change mid-run; these can: {}",
                            spec.name,
                            allowed.join(", ")
                        )
                    };
                    return Err(self.at(key, message));
                }
                set.push((spec.name, value));
            }
            if set.is_empty() {
                return Err(self.at(
                    &entry.at,
                    "a schedule entry needs at least one parameter in `set`",
                ));
            }
            let change = ScheduledChange { at: at as u64, set };
            written.push((change.clone(), entry.at.span().start));
            out.push(change);
        }
        out.sort_by_key(|c| c.at);
        Ok(out)
    }

    /// Cross-parameter constraints, at the start and after every scheduled change (which the model
    /// may also refuse given the parameters in force before it). A change that fails is reported at
    /// the line where it was written.
    fn check_point(
        &self,
        model: &dyn Model,
        point: &Point,
        written: &[(ScheduledChange, usize)],
    ) -> Result<(), InputError> {
        let name = match &point.option {
            Some(o) => format!("point {} (option \"{o}\")", point.id),
            None => format!("point {}", point.id),
        };
        let Err(broken) = crate::engine::check_point(model, &point.params, &point.schedule) else {
            return Ok(());
        };
        let Some(index) = broken.change else {
            return Err(InputError::new(
                self.file.clone(),
                format!("{name}: {}", broken.message),
            ));
        };
        let change = &point.schedule[index];
        let place = written
            .iter()
            .find(|(c, _)| c == change)
            .map_or_else(|| self.file.clone(), |&(_, at)| self.place(at));
        let (at, why) = (change.at, broken.message);
        let message = if broken.after {
            format!("{name} after the change at tick {at}: {why}")
        } else {
            format!("{name}, the change at tick {at}: {why}")
        };
        Err(InputError::new(place, message))
    }
}

/// Rust type names in serde's messages ("expected i64") as a person reads them.
fn plain_type_names(message: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number from 0 up"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected a string", "expected text in quotes"),
        ("invalid type: string", "invalid type: text"),
        ("expected a sequence", "expected a list in [brackets]"),
        ("invalid type: sequence", "invalid type: list"),
        ("invalid type: map", "invalid type: table"),
        ("invalid type: integer", "invalid type: whole number"),
        (
            "invalid type: floating point",
            "invalid type: decimal number",
        ),
    ];
    NAMES.iter().fold(message.to_string(), |m, (rust, plain)| {
        m.replace(rust, plain)
    })
}

/// The declaration of parameter `name`, or a message listing near misses.
pub fn find_param(model: &dyn Model, name: &str) -> Result<&'static ParamSpec, String> {
    model.params().iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = model.params().iter().map(|p| p.name).collect();
        format!(
            "unknown parameter `{name}` for model {}{} (see `orgsim describe {}` for all of them)",
            model.name(),
            did_you_mean(name, names.iter().copied()),
            model.name()
        )
    })
}

/// A TOML value as a value of parameter `spec`: a number or a name; for a set of names, also a
/// list of names. Booleans, tables, dates and other lists are not parameter values.
fn convert(spec: &ParamSpec, value: &toml::Value) -> Result<Value, String> {
    match value {
        toml::Value::Array(items) if matches!(spec.domain, Domain::Set(_)) => items
            .iter()
            .map(|item| match item {
                toml::Value::String(s) => Ok(s.as_str()),
                other => Err(format!("expected a list of names, found {other} in it")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|names| Value::Text(names.join(","))),
        toml::Value::Integer(i) => Ok(Value::Num(*i as f64)),
        toml::Value::Float(x) => Ok(Value::Num(*x)),
        toml::Value::String(s) => Ok(Value::Text(s.clone())),
        toml::Value::Boolean(b) => Err(format!("expected a number or a name, found {b}")),
        toml::Value::Array(_) => Err("a list belongs in [sweep], not here".to_string()),
        toml::Value::Table(_) => Err("expected a number or a name, found a table".to_string()),
        toml::Value::Datetime(_) => Err("expected a number or a name, found a date".to_string()),
    }
}

/// Applies `--set NAME=VALUE` to the base parameters.
fn apply_set_flags(
    model: &dyn Model,
    flags: &[String],
    base: &mut Params,
    axes: &[Axis],
    varied: &[&'static str],
    options: &[OptionSpec],
) -> Result<(), InputError> {
    for flag in flags {
        let place = format!("--set {flag}");
        let (name, text) = flag.split_once('=').ok_or_else(|| {
            InputError::new(&place, "expected NAME=VALUE, e.g. --set turnover=0.1")
        })?;
        let name = name.trim();
        let spec = find_param(model, name).map_err(|m| InputError::new(&place, m))?;
        if varied.contains(&spec.name) {
            let section = if axes.iter().any(|a| a.param == spec.name) {
                "is swept in the scenario's [sweep]"
            } else {
                "is varied in the scenario's [design.space]"
            };
            return Err(InputError::new(
                &place,
                format!("`{name}` {section}; --set changes only fixed parameters"),
            ));
        }
        if let Some(o) = options
            .iter()
            .find(|o| o.set.iter().any(|(n, _)| *n == spec.name))
        {
            return Err(InputError::new(
                &place,
                format!(
                    "`{name}` is set by option \"{}\"; --set changes only parameters no option sets",
                    o.name
                ),
            ));
        }
        let value = parse_flag_value(text.trim());
        let checked = spec
            .check(&value)
            .map_err(|e| InputError::new(&place, e.0))?;
        base.set(spec.name, checked);
    }
    Ok(())
}

/// A command-line value: a number if it reads as one, else a name.
fn parse_flag_value(text: &str) -> Value {
    let unquoted = text.trim_matches('"');
    match unquoted.parse::<f64>() {
        Ok(x) if unquoted == text => Value::Num(x),
        _ => Value::Text(unquoted.to_string()),
    }
}
