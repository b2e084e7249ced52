//! Results depend only on (model, parameters, master seed, replicate): not on the thread count, not on
//! which other points a sweep holds, not on the order in which runs finish.

use std::collections::BTreeMap;
use std::fs;

use tempfile::TempDir;

use crate::cli::{orgsim, write};

const SWEEP: &str = r#"
[scenario]
name = "det"
model = "march1991"
replications = 7
seed = 2024
ticks = 60
record_every = 7

[params]
turnover = 0.02

[sweep]
socialisation = [0.1, 0.5, 0.9]
code_learning = [0.3, 0.7]
"#;

fn run(dir: &TempDir, text: &str, out: &str, threads: &str) -> std::path::PathBuf {
    run_with(dir, text, out, &["--threads", threads])
}

/// `orgsim run` of `text` (written to `dir/out.toml`) into `dir/out`, quiet and without figures, with
/// extra `flags`; returns the output directory.
pub fn run_with(dir: &TempDir, text: &str, out: &str, flags: &[&str]) -> std::path::PathBuf {
    let file = write(dir, &format!("{out}.toml"), text);
    let out_dir = dir.path().join(out);
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["-q", "--no-plots"])
        .args(flags)
        .assert()
        .success();
    out_dir
}

/// The tables every run writes (figures are checked by the report tests).
pub const TABLES: [&str; 5] = [
    "runs.csv",
    "timeseries.csv",
    "summary.csv",
    "points.csv",
    "comparison.csv",
];

/// The tables a run writes with the per-unit output on.
pub const UNIT_TABLES: [&str; 2] = ["units.csv", "units_timeseries.csv"];

/// Asserts that two output directories hold byte-identical tables.
pub fn assert_same_tables(a: &std::path::Path, b: &std::path::Path, what: &str) {
    assert_same_files(a, b, &TABLES, what);
}

/// Asserts that two output directories hold byte-identical `files`.
pub fn assert_same_files(a: &std::path::Path, b: &std::path::Path, files: &[&str], what: &str) {
    for file in files {
        let read = |dir: &std::path::Path| {
            fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
        };
        assert!(read(a) == read(b), "{file} differs between {what}");
    }
}

#[test]
fn thread_count_does_not_change_any_output_byte() {
    let dir = TempDir::new().unwrap();
    let one = run(&dir, SWEEP, "t1", "1");
    for threads in ["2", "3", "8"] {
        let many = run(&dir, SWEEP, &format!("t{threads}"), threads);
        assert_same_tables(&one, &many, &format!("1 and {threads} threads"));
    }
}

/// Rows of runs.csv keyed by (parameter values, replicate), without the ids that number points.
fn rows_by_params(dir: &std::path::Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(dir.join("runs.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            // run_id, point_id, replicate, seed, params..., metrics...
            let key = format!("{}|{}", cells[2], cells[4..12].join(","));
            (key, cells[3..].join(","))
        })
        .collect()
}

#[test]
fn removing_a_point_leaves_the_other_points_rows_unchanged() {
    let dir = TempDir::new().unwrap();
    let full = rows_by_params(&run(&dir, SWEEP, "full", "2"));
    let reduced_text = SWEEP.replace("[0.1, 0.5, 0.9]", "[0.1, 0.9]");
    let reduced = rows_by_params(&run(&dir, &reduced_text, "reduced", "2"));
    assert_eq!(full.len(), 3 * 2 * 7);
    assert_eq!(reduced.len(), 2 * 2 * 7);
    for (key, row) in &reduced {
        assert_eq!(
            full.get(key),
            Some(row),
            "row {key} changed when a point was removed"
        );
    }
}

#[test]
fn replicate_r_of_every_point_shares_one_seed() {
    let dir = TempDir::new().unwrap();
    let out = run(&dir, SWEEP, "crn", "2");
    let text = fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut seeds: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        seeds
            .entry(cells[2].to_string())
            .or_default()
            .insert(cells[3].to_string());
    }
    assert_eq!(seeds.len(), 7);
    assert!(
        seeds.values().all(|s| s.len() == 1),
        "one seed per replicate across points"
    );
    let distinct: std::collections::BTreeSet<_> = seeds.values().flatten().collect();
    assert_eq!(distinct.len(), 7, "replicates differ from each other");
}

#[test]
fn a_different_master_seed_changes_results() {
    let dir = TempDir::new().unwrap();
    let a = fs::read_to_string(run(&dir, SWEEP, "s1", "2").join("runs.csv")).unwrap();
    let b = fs::read_to_string(
        run(
            &dir,
            &SWEEP.replace("seed = 2024", "seed = 2025"),
            "s2",
            "2",
        )
        .join("runs.csv"),
    )
    .unwrap();
    assert_ne!(a, b);
}

/// Runs `text` as shards 3, 1 and 2 of 3 (in that order, one thread each) into `dir/<tag>-shardK`
/// and merges them into `dir/<tag>-merged`; returns the merged and the shard directories.
pub fn run_shards_and_merge(
    dir: &TempDir,
    text: &str,
    tag: &str,
) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let file = write(dir, &format!("{tag}-sharded.toml"), text);
    let mut shard_dirs = Vec::new();
    for k in [3, 1, 2] {
        let out = dir.path().join(format!("{tag}-shard{k}"));
        orgsim()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .args(["--shard", &format!("{k}/3"), "--threads", "1", "-q"])
            .assert()
            .success();
        assert!(
            !out.join("summary.csv").exists(),
            "a shard has no summary of its own"
        );
        shard_dirs.push(out);
    }
    let merged = dir.path().join(format!("{tag}-merged"));
    orgsim()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .arg("--no-plots")
        .assert()
        .success();
    (merged, shard_dirs)
}

/// A sweep run as shards (e.g. a Slurm job array) and merged equals the same sweep run in one go.
#[test]
fn shards_merge_into_the_same_bytes_as_one_run() {
    let dir = TempDir::new().unwrap();
    let whole = run(&dir, SWEEP, "whole", "2");
    let (merged, shard_dirs) = run_shards_and_merge(&dir, SWEEP, "march");
    let file = dir.path().join("march-sharded.toml");
    assert_same_tables(&whole, &merged, "one run and merged shards");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["shard"].is_null());
    assert_eq!(manifest["merged_from"].as_array().unwrap().len(), 3);

    // Incomplete or mixed sets of shards are refused, and nothing is written.
    let out = orgsim()
        .arg("merge")
        .args(&shard_dirs[..2])
        .arg("--out")
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("shard 2/3 is missing"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = orgsim()
        .arg("merge")
        .arg(&shard_dirs[0])
        .arg(&whole)
        .arg("--out")
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a shard"));
    assert!(!dir.path().join("bad").exists());
    for bad in ["0/3", "4/3", "x/3", "3"] {
        let out = orgsim()
            .arg("run")
            .arg(&file)
            .args(["--shard", bad])
            .arg("--out")
            .arg(dir.path().join("bad"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--shard"));
    }
}

/// The per-unit files obey the same promise: the same bytes on 1 and 2 threads, and from merged
/// shards as from one run.
#[test]
fn per_unit_files_depend_on_neither_threads_nor_shards() {
    let dir = TempDir::new().unwrap();
    let text = crate::datateam::PER_UNIT;
    let one = run(&dir, text, "pu1", "1");
    let two = run(&dir, text, "pu2", "2");
    let all: Vec<&str> = TABLES.iter().chain(&UNIT_TABLES).copied().collect();
    assert_same_files(&one, &two, &all, "1 and 2 threads with per-unit output");
    let (merged, _) = run_shards_and_merge(&dir, text, "pu");
    assert_same_files(
        &one,
        &merged,
        &all,
        "one run and merged shards with per-unit output",
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["per_unit"], true);
    assert!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "units.csv")
    );

    // A shard without the per-unit output does not merge with shards that have it (same file, the
    // flag given to some shards only), and nothing is written.
    let file = write(
        &dir,
        "pu-mixed.toml",
        &text.replace("per_unit = true\n", ""),
    );
    let mut mixed = Vec::new();
    for k in 1..=3 {
        let out = dir.path().join(format!("pu-mixed{k}"));
        let flag: &[&str] = if k == 1 { &[] } else { &["--per-unit"] };
        orgsim()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .args(["--shard", &format!("{k}/3"), "-q"])
            .args(flag)
            .assert()
            .success();
        mixed.push(out);
    }
    let bad = dir.path().join("pu-bad");
    let out = orgsim()
        .arg("merge")
        .args(&mixed)
        .arg("--out")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`per_unit`"), "{err}");
    assert!(!bad.exists());
}
