//! `manifest.json`: what was run, with what, when, and how to run it again.

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::engine::ScheduledChange;
use crate::scenario::Scenario;

/// What the run itself contributes to the manifest.
pub struct RunFacts {
    pub threads: usize,
    pub started: std::time::SystemTime,
    pub finished: std::time::SystemTime,
    pub wall_seconds: f64,
    pub command_line: Vec<String>,
    pub files: Vec<&'static str>,
    /// `(index, count, first run id, end run id)` when this run is one shard of a sweep.
    pub shard: Option<(u64, u64, u64, u64)>,
}

fn schedule_json(schedule: &[ScheduledChange]) -> Json {
    Json::Array(
        schedule
            .iter()
            .map(|c| {
                let set: serde_json::Map<String, Json> = c
                    .set
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_json()))
                    .collect();
                json!({ "at": c.at, "set": set })
            })
            .collect(),
    )
}

pub fn build(scenario: &Scenario, facts: &RunFacts) -> Json {
    let points: Vec<Json> = scenario
        .points
        .iter()
        .map(|p| {
            let params: serde_json::Map<String, Json> =
                p.params.iter().map(|(spec, v)| (spec.name.to_string(), v.map_or(Json::Null, |v| v.to_json()))).collect();
            json!({ "point_id": p.id, "option": p.option, "params": params, "schedule": schedule_json(&p.schedule) })
        })
        .collect();
    let options: Vec<Json> = scenario
        .options
        .iter()
        .map(|o| {
            let set: serde_json::Map<String, Json> = o.set.iter().map(|(n, v)| (n.to_string(), v.to_json())).collect();
            json!({ "name": o.name, "description": o.description, "set": set, "schedule": schedule_json(&o.schedule) })
        })
        .collect();
    let mut manifest = json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": scenario.file.display().to_string(),
            "sha256": hex_sha256(scenario.text.as_bytes()),
            "text": scenario.text,
        },
        "model": scenario.model.name(),
        "tick_unit": scenario.model.tick_unit(),
        "master_seed": scenario.seed,
        "replications": scenario.replications,
        "ticks": scenario.ticks,
        "stop": scenario.stop.map(|rule| rule.name),
        "record_every": scenario.record_every,
        "baseline": scenario.baseline,
        "varying_params": scenario.varying_params(),
        "metrics": scenario.model.metrics().iter().map(|m| json!({"name": m.name, "unit": m.unit, "meaning": m.meaning, "headline": m.headline, "higher_is_better": m.higher_is_better})).collect::<Vec<_>>(),
        "options": options,
        "points": points,
        "threads": facts.threads,
        "started": humantime::format_rfc3339_seconds(facts.started).to_string(),
        "finished": humantime::format_rfc3339_seconds(facts.finished).to_string(),
        "wall_seconds": facts.wall_seconds,
        "command_line": facts.command_line,
        "files": facts.files,
        "shard": facts.shard.map(|(index, count, start, end)| json!({ "index": index, "count": count, "run_ids": [start, end] })),
    });
    // Only when on, so that a run without the per-unit output has the manifest it always had.
    if scenario.per_unit {
        manifest["per_unit"] = json!(true);
        manifest["unit_metrics"] = scenario
            .model
            .unit_metrics()
            .iter()
            .map(|m| json!({"name": m.name, "unit": m.unit, "meaning": m.meaning}))
            .collect();
    }
    manifest
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
