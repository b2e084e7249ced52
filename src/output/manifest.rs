//! `manifest.json`: what was run, with what, when, and how to run it again.
//!
//! One typed [`Manifest`] is written by a run, rewritten by `orgsim merge` and read back by every
//! command that opens a saved directory, so the writer and its readers cannot drift apart. It is
//! written through a `serde_json::Value` so that keys come out sorted, exactly as the untyped
//! manifests of format version 1 did, and field names never change: later versions only add.
//!
//! [`FORMAT_VERSION`] says which layout a file has. Version 1 manifests carry no `format_version`
//! and still load; a version newer than this build understands is refused rather than misread.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::engine::ScheduledChange;
use crate::engine::params::{Group, Params, Value};
use crate::error::InputError;
use crate::scenario::Scenario;
use crate::suggest::did_you_mean;

/// The manifest layout this build writes. Version 1 (no `format_version` field) had the same
/// fields apart from `format_version` itself.
pub const FORMAT_VERSION: u64 = 2;

/// The oldest layout this build still reads.
pub const OLDEST_FORMAT_VERSION: u64 = 1;

/// The whole of `manifest.json`. Fields a version 1 manifest may lack, or that hand-written test
/// manifests leave out, have defaults; unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(default = "version_1")]
    pub format_version: u64,
    pub orgsim_version: String,
    pub scenario: ScenarioInfo,
    pub model: String,
    /// What one tick stands for ("week", "period").
    #[serde(default = "tick")]
    pub tick_unit: String,
    pub master_seed: u64,
    pub replications: u64,
    pub ticks: u64,
    /// The stopping rule, if runs may end before `ticks`.
    #[serde(default)]
    pub stop: Option<String>,
    #[serde(default)]
    pub record_every: u64,
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub varying_params: Vec<String>,
    pub metrics: Vec<MetricInfo>,
    #[serde(default)]
    pub options: Vec<OptionInfo>,
    pub points: Vec<PointInfo>,
    #[serde(default)]
    pub threads: usize,
    #[serde(default)]
    pub started: Option<String>,
    #[serde(default)]
    pub finished: Option<String>,
    #[serde(default)]
    pub wall_seconds: Option<f64>,
    #[serde(default)]
    pub command_line: Vec<String>,
    #[serde(default)]
    pub files: Vec<String>,
    /// Set only in one shard of a sweep; `null` in a whole or merged run.
    #[serde(default)]
    pub shard: Option<ShardInfo>,
    /// Written only when on, so that a run without the per-unit output has the manifest it always had.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_unit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_metrics: Option<Vec<UnitMetricInfo>>,
    /// Every internal constant and price in force (the model's defaults, or the scenario's
    /// `[params]`); a point's `params` hold only the constants it sets itself. Absent for a model
    /// without declared constants.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<String, Json>,
    /// The shard directories a merged run was joined from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<String>>,
    /// How many runs panicked (listed in failures.csv, absent from the other files); written only
    /// when some did.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_runs: u64,
    /// The one run id of `run --only RUN_ID`; written only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_run: Option<u64>,
    /// The sampling design of a `[design]` scenario; absent for sweeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<DesignInfo>,
    /// The build that ran the model ([`crate::BUILD_ID`]: version plus a hash of the sources), since
    /// the version alone does not change between commits; absent in manifests written before it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub build_id: String,
    /// Per data file, its SHA-256, size and rows, checked by every command that reads the directory
    /// ([`crate::output::integrity`]); absent in manifests written before checksums.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checksums: BTreeMap<String, crate::output::integrity::FileCheck>,
    /// The adaptive replication rule and what it decided per point; absent with a fixed number of
    /// replicates (then every point has `replications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<AdaptiveInfo>,
}

/// An adaptive replication rule and its outcome. `replications` is then the rule's `max`, and
/// point p ran replicates 0..`replicates[p]` (run ids p × max + r).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveInfo {
    pub metric: String,
    /// The 95% half-width asked for, in the metric's unit (or `target_relative_half_width`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_half_width: Option<f64>,
    /// The 95% half-width asked for as a share of |mean|.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_relative_half_width: Option<f64>,
    pub min: u64,
    pub max: u64,
    /// What the target is the half-width of: `mean` (each point's own) or `paired_difference`
    /// (each option's difference from `baseline`, replicate by replicate).
    pub judged_on: String,
    /// Per point, in `points` order: the replicates it ran.
    pub replicates: Vec<u64>,
    /// Per point: whether its group's half-width reached the target (false: `max` came first).
    pub target_met: Vec<bool>,
}

impl AdaptiveInfo {
    /// The record of `rule` for `scenario`, with what it decided per point.
    pub fn new(
        scenario: &Scenario,
        rule: &crate::engine::adaptive::Rule,
        replicates: Vec<u64>,
        target_met: Vec<bool>,
    ) -> Self {
        use crate::engine::adaptive::Target;
        let (absolute, relative) = match rule.target {
            Target::HalfWidth(h) => (Some(h), None),
            Target::RelativeHalfWidth(share) => (None, Some(share)),
        };
        AdaptiveInfo {
            metric: scenario.model.metrics()[rule.metric].name.to_string(),
            target_half_width: absolute,
            target_relative_half_width: relative,
            min: rule.min,
            max: rule.max,
            judged_on: if scenario.options.len() > 1 {
                "paired_difference".into()
            } else {
                "mean".into()
            },
            replicates,
            target_met,
        }
    }
}

impl Manifest {
    /// How many replicates point `point` ran (all of `replications` unless adaptive).
    pub fn replicates_of(&self, point: usize) -> u64 {
        match &self.adaptive {
            Some(a) => a.replicates.get(point).copied().unwrap_or(0),
            None => self.replications,
        }
    }

    /// The replicates per point in words: "80", or with adaptive replication "10 to 200" (the
    /// fewest and the most any point ran), for captions and the report.
    pub fn replicates_text(&self) -> String {
        match &self.adaptive {
            Some(a) => {
                let fewest = a.replicates.iter().min().copied().unwrap_or(0);
                let most = a.replicates.iter().max().copied().unwrap_or(0);
                if fewest == most {
                    most.to_string()
                } else {
                    format!("{fewest} to {most}")
                }
            }
            None => self.replications.to_string(),
        }
    }

    /// Runs in the whole sweep (every point's replicates).
    pub fn total_runs(&self) -> u64 {
        match &self.adaptive {
            Some(a) => a.replicates.iter().sum(),
            None => (self.points.len() as u64).saturating_mul(self.replications),
        }
    }
}

/// A scenario's `[design]`: enough to recompute its unit-cube rows ([`crate::scenario::space::unit_rows`])
/// and to write SALib's `problem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignInfo {
    /// `lhs`, `sobol`, `morris` or `random`.
    pub method: String,
    /// Points (lhs, random), base rows N (sobol) or trajectories (morris).
    pub n: usize,
    /// Morris grid levels (0 for other methods).
    #[serde(default)]
    pub levels: usize,
    pub seed: u64,
    pub common_random_numbers: bool,
    #[serde(default)]
    pub second_order: bool,
    /// Design points, before options multiply them: point_id = option index × points + row.
    pub points: usize,
    pub factors: Vec<FactorInfo>,
}

/// One parameter of a design's space, as SALib's `problem` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorInfo {
    pub name: String,
    /// SALib's distribution name: `unif`, `logunif`, `triang`, `truncnorm`.
    pub dist: String,
    /// SALib's `bounds` entry for `dist`.
    pub bounds: Vec<f64>,
    /// For a list of choices: the choices, in order (the factor is then `unif` over [0, count]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Json>,
}

fn design_info(design: &crate::scenario::space::Design) -> DesignInfo {
    use crate::scenario::space::Transform;
    DesignInfo {
        method: design.method.name().to_string(),
        n: design.n,
        levels: design.levels,
        seed: design.seed,
        common_random_numbers: design.common_random_numbers,
        second_order: design.second_order,
        points: design.size(),
        factors: design
            .factors
            .iter()
            .map(|f| {
                let (dist, bounds) = f.salib();
                FactorInfo {
                    name: f.param.to_string(),
                    dist: dist.to_string(),
                    bounds,
                    choices: match &f.transform {
                        Transform::Choices(values) => values.iter().map(Value::to_json).collect(),
                        _ => Vec::new(),
                    },
                }
            })
            .collect(),
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricInfo {
    pub name: String,
    /// A human label ("Value added"), as declared; empty in manifests older than labels, when the
    /// name stands in ([`MetricInfo::label`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The metric's unit for axis labels.
    #[serde(default)]
    pub unit: String,
    /// The unit in words, for the report's glossary; absent in manifests older than it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit_meaning: String,
    #[serde(default)]
    pub meaning: String,
    #[serde(default)]
    pub headline: bool,
    /// Which direction is better; "more is better" when a manifest does not say.
    #[serde(default = "more_is_better")]
    pub higher_is_better: bool,
}

impl MetricInfo {
    /// The label figures and reports show: the declared one, else made from the name.
    pub fn label(&self) -> String {
        if self.label.is_empty() {
            crate::engine::params::label_from_name(&self.name)
        } else {
            self.label.clone()
        }
    }

    /// The label with its unit, as an axis shows it: "Value added (effect SD × weeks)".
    pub fn axis_label(&self) -> String {
        crate::engine::params::with_unit(&self.label(), &self.unit)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitMetricInfo {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub meaning: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub set: BTreeMap<String, Json>,
    #[serde(default)]
    pub schedule: Vec<ChangeInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointInfo {
    pub point_id: usize,
    #[serde(default)]
    pub option: Option<String>,
    /// Every parameter's value; `null` for one left unset.
    #[serde(default)]
    pub params: BTreeMap<String, Json>,
    #[serde(default)]
    pub schedule: Vec<ChangeInfo>,
}

/// A scheduled change: at tick `at`, set these parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeInfo {
    pub at: u64,
    pub set: BTreeMap<String, Json>,
}

/// Which part of a sweep a shard ran: shard `index` of `count`, run ids `run_ids[0]..run_ids[1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub index: u64,
    pub count: u64,
    /// A fixed sweep's shard holds exactly these run ids; an adaptive shard's runs lie within them.
    pub run_ids: [u64; 2],
    /// With adaptive replication: the points this shard holds, whole (every replicate it decided,
    /// and a setting's options together); the manifest's `adaptive.replicates` is 0 at the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<usize>>,
}

fn version_1() -> u64 {
    1
}

fn tick() -> String {
    "tick".into()
}

fn more_is_better() -> bool {
    true
}

/// What the run itself contributes to the manifest.
pub struct RunFacts {
    pub threads: usize,
    pub started: std::time::SystemTime,
    pub finished: std::time::SystemTime,
    pub wall_seconds: f64,
    pub command_line: Vec<String>,
    pub files: Vec<&'static str>,
    /// Which part of the sweep this run holds, when it is one shard.
    pub shard: Option<ShardInfo>,
    /// How many runs panicked.
    pub failed_runs: u64,
    /// The run id of `run --only`.
    pub only_run: Option<u64>,
    /// With adaptive replication: the rule and what it decided.
    pub adaptive: Option<AdaptiveInfo>,
}

fn schedule_info(schedule: &[ScheduledChange]) -> Vec<ChangeInfo> {
    schedule
        .iter()
        .map(|c| ChangeInfo {
            at: c.at,
            set: c
                .set
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_json()))
                .collect(),
        })
        .collect()
}

/// The manifest of a run of `scenario`.
pub fn build(scenario: &Scenario, facts: &RunFacts) -> Manifest {
    let entry = |params: &Params, i: usize| {
        let value = params.values_from(i).next().flatten();
        let name = params.specs()[i].name.to_string();
        (name, value.map_or(Json::Null, Value::to_json))
    };
    let recorded = scenario.recorded_params();
    let points = scenario
        .points
        .iter()
        .map(|p| PointInfo {
            point_id: p.id,
            option: p.option.clone(),
            params: recorded.iter().map(|&i| entry(&p.params, i)).collect(),
            schedule: schedule_info(&p.schedule),
        })
        .collect();
    let constants = (0..scenario.base.specs().len())
        .filter(|&i| scenario.base.specs()[i].group == Group::Constant)
        .map(|i| entry(&scenario.base, i))
        .collect();
    let options = scenario
        .options
        .iter()
        .map(|o| OptionInfo {
            name: o.name.clone(),
            description: o.description.clone(),
            set: o
                .set
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_json()))
                .collect(),
            schedule: schedule_info(&o.schedule),
        })
        .collect();
    let model = scenario.model;
    Manifest {
        format_version: FORMAT_VERSION,
        orgsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            file: scenario.file.display().to_string(),
            sha256: hex_sha256(scenario.text.as_bytes()),
            text: scenario.text.clone(),
        },
        model: model.name().to_string(),
        tick_unit: model.tick_unit().to_string(),
        master_seed: scenario.seed,
        replications: scenario.replications,
        ticks: scenario.ticks,
        stop: scenario.stop.map(|rule| rule.name.to_string()),
        record_every: scenario.record_every,
        baseline: scenario.baseline.clone(),
        varying_params: scenario
            .varying_params()
            .iter()
            .map(|p| p.to_string())
            .collect(),
        metrics: model
            .metrics()
            .iter()
            .map(|m| MetricInfo {
                name: m.name.to_string(),
                label: m.label(),
                unit: m.unit.to_string(),
                unit_meaning: m.unit_meaning.to_string(),
                meaning: m.meaning.to_string(),
                headline: m.headline,
                higher_is_better: m.higher_is_better,
            })
            .collect(),
        options,
        points,
        threads: facts.threads,
        started: Some(humantime::format_rfc3339_seconds(facts.started).to_string()),
        finished: Some(humantime::format_rfc3339_seconds(facts.finished).to_string()),
        wall_seconds: Some(facts.wall_seconds),
        command_line: facts.command_line.clone(),
        files: facts.files.iter().map(|f| f.to_string()).collect(),
        shard: facts.shard.clone(),
        failed_runs: facts.failed_runs,
        only_run: facts.only_run,
        per_unit: scenario.per_unit,
        constants,
        unit_metrics: scenario.per_unit.then(|| {
            model
                .unit_metrics()
                .iter()
                .map(|m| UnitMetricInfo {
                    name: m.name.to_string(),
                    unit: m.unit.to_string(),
                    meaning: m.meaning.to_string(),
                })
                .collect()
        }),
        merged_from: None,
        design: scenario.design.as_ref().map(design_info),
        build_id: crate::BUILD_ID.to_string(),
        // Filled in by the caller once the data files are complete.
        checksums: BTreeMap::new(),
        adaptive: facts.adaptive.clone(),
    }
}

impl Manifest {
    /// Parses the text of `path` (named in errors): first its format version, so that a manifest
    /// from a newer orgsim is refused as such instead of failing on some field it added.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, InputError> {
        #[derive(Deserialize)]
        struct Version {
            #[serde(default = "version_1")]
            format_version: u64,
        }
        let shown = path.display().to_string();
        let bad =
            |e: serde_json::Error| InputError::new(&shown, format!("not an orgsim manifest: {e}"));
        let Version { format_version } = serde_json::from_str(text).map_err(bad)?;
        if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&format_version) {
            return Err(InputError::new(
                &shown,
                format!(
                    "has format_version {format_version}, but orgsim {} reads manifest format versions {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}; use the orgsim that wrote it",
                    env!("CARGO_PKG_VERSION")
                ),
            ));
        }
        serde_json::from_str(text).map_err(bad)
    }

    /// The manifest as the text of `manifest.json`: pretty, keys sorted, ending in a newline.
    pub fn to_text(&self) -> serde_json::Result<String> {
        // Through a `Value`, whose maps are sorted, so key order does not follow field order.
        Ok(serde_json::to_string_pretty(&serde_json::to_value(self)?)? + "\n")
    }

    pub fn metric(&self, name: &str) -> Option<&MetricInfo> {
        self.metrics.iter().find(|m| m.name == name)
    }

    /// The parameters a sweep varies, as opposed to those that differ only because options set them.
    pub fn swept_params(&self) -> Vec<&str> {
        self.varying_params
            .iter()
            .filter(|p| !self.options.iter().any(|o| o.set.contains_key(p.as_str())))
            .map(String::as_str)
            .collect()
    }

    /// The metrics named by `--metric` (checked, with a did-you-mean), or the headline metrics.
    pub fn chosen_metrics(&self, asked: &[String]) -> Result<Vec<&MetricInfo>, InputError> {
        if asked.is_empty() {
            let headline: Vec<&MetricInfo> = self.metrics.iter().filter(|m| m.headline).collect();
            return Ok(if headline.is_empty() {
                self.metrics.iter().collect()
            } else {
                headline
            });
        }
        asked
            .iter()
            .map(|name| {
                self.metric(name).ok_or_else(|| {
                    let names: Vec<&str> = self.metrics.iter().map(|m| m.name.as_str()).collect();
                    InputError::new(
                        "--metric",
                        format!(
                            "unknown metric \"{name}\" for model {}; metrics: {}{}",
                            self.model,
                            names.join(", "),
                            did_you_mean(name, names.iter().copied())
                        ),
                    )
                })
            })
            .collect()
    }
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_without_a_declared_label_reads_its_name_as_one() {
        let json = r#"{"name": "code_knowledge", "unit": "score"}"#;
        let old: MetricInfo = serde_json::from_str(json).unwrap();
        assert_eq!(old.label(), "Code knowledge");
        let labelled = MetricInfo {
            label: "Technical skill".into(),
            ..old
        };
        assert_eq!(labelled.label(), "Technical skill");
    }

    const V1: &str = include_str!("../../tests/fixtures/manifest-v1.json");

    fn parse(text: &str) -> Result<Manifest, InputError> {
        Manifest::parse(text, Path::new("dir/manifest.json"))
    }

    #[test]
    fn a_version_1_manifest_loads_and_rewrites_with_only_format_version_added() {
        let m = parse(V1).unwrap();
        assert_eq!(m.format_version, 1);
        assert_eq!(m.model, "march1991");
        assert_eq!(m.points.len(), 27);
        assert!(m.shard.is_none() && !m.per_unit && m.merged_from.is_none());
        // Every field and number survives the round trip exactly.
        let mut again: Json = serde_json::from_str(&m.to_text().unwrap()).unwrap();
        let original: Json = serde_json::from_str(V1).unwrap();
        assert_eq!(again["format_version"], 1);
        again.as_object_mut().unwrap().remove("format_version");
        assert_eq!(again, original);
    }

    #[test]
    fn an_unknown_version_is_refused_naming_the_file_and_the_versions_read() {
        let mut m: Json = serde_json::from_str(V1).unwrap();
        m["format_version"] = 99.into();
        let e = parse(&m.to_string()).unwrap_err();
        assert_eq!(e.place, "dir/manifest.json");
        assert!(e.message.contains("format_version 99"), "{}", e.message);
        assert!(e.message.contains("versions 1 to 2"), "{}", e.message);
        // Refused even when the rest of the file would not parse.
        let e = parse(r#"{"format_version": 99}"#).unwrap_err();
        assert!(e.message.contains("format_version 99"), "{}", e.message);
    }

    #[test]
    fn the_current_version_is_accepted() {
        let mut m: Json = serde_json::from_str(V1).unwrap();
        m["format_version"] = FORMAT_VERSION.into();
        assert_eq!(
            parse(&m.to_string()).unwrap().format_version,
            FORMAT_VERSION
        );
        assert!(
            parse("not json")
                .unwrap_err()
                .message
                .starts_with("not an orgsim manifest")
        );
    }
}
