//! Adaptive replication (`replications = { target_half_width = ..., metric, min, max }`): noisy
//! points get more replicates than quiet ones, each point's runs are a prefix of the fixed run's,
//! the result does not depend on the thread count, options are judged on their paired differences,
//! an interrupted run resumes to the same files, shards split the sweep by whole points and merge
//! into the same files as one run, and what is not supported is refused with exit 2.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::cli::{expect_bad_run, orgsim, stderr_of, wait_for_checkpoints, write};
use crate::determinism::{assert_same_files, run_shards_and_merge, run_with};

/// Ishigami at one x with additive noise swept from none to more than `max` replicates can tame:
/// the half-width of the mean is about 1.96 · noise / √n, so the target 0.5 needs about 4, 62 and
/// 980 replicates at noise 0.5, 2 and 8.
const NOISE_SWEEP: &str = r#"
[scenario]
name = "noise"
model = "ishigami"
replications = { target_half_width = 0.5, metric = "y", min = 10, max = 200 }
seed = 3

[params]
x1 = 1.0

[sweep]
noise = [0.0, 0.5, 2.0, 8.0]
"#;

/// summary.csv as rows of named cells.
fn summary(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// runs.csv's data lines, keyed by run id.
fn run_rows(dir: &Path) -> BTreeMap<u64, String> {
    fs::read_to_string(dir.join("runs.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            (
                line.split(',').next().unwrap().parse().unwrap(),
                line.to_string(),
            )
        })
        .collect()
}

#[test]
fn noisy_points_get_more_replicates_and_the_summary_says_where_the_target_was_met() {
    let dir = TempDir::new().unwrap();
    let out = run_with(&dir, NOISE_SWEEP, "noise", &[]);
    let rows = summary(&out);
    let got: Vec<(u64, bool)> = rows
        .iter()
        .map(|r| (r["replicates"].parse().unwrap(), r["target_met"] == "true"))
        .collect();
    // No noise and little noise: met at `min`; noise 2: met between; noise 8: `max` first.
    assert_eq!(got[0], (10, true), "{got:?}");
    assert_eq!(got[1], (10, true), "{got:?}");
    assert!(got[2].1 && got[2].0 > 30 && got[2].0 < 200, "{got:?}");
    assert_eq!(got[3], (200, false), "{got:?}");
    for row in &rows {
        // n counts the values, replicates the runs: the same here (no NaN).
        assert_eq!(row["n"], row["replicates"]);
        let half =
            (row["ci_high"].parse::<f64>().unwrap() - row["ci_low"].parse::<f64>().unwrap()) / 2.0;
        assert_eq!(half <= 0.5, row["target_met"] == "true", "{row:?}");
    }
    let m = manifest(&out);
    assert_eq!(m["replications"], 200);
    assert_eq!(m["adaptive"]["judged_on"], "mean");
    assert_eq!(
        m["adaptive"]["replicates"],
        serde_json::json!(got.iter().map(|g| g.0).collect::<Vec<_>>())
    );
    assert_eq!(
        run_rows(&out).len() as u64,
        got.iter().map(|g| g.0).sum::<u64>()
    );
    // The saved directory passes the integrity checks of every reader.
    orgsim().arg("compare").arg(&out).assert().success();
    let status = orgsim().arg("status").arg(&out).output().unwrap();
    let total: u64 = got.iter().map(|g| g.0).sum();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains(&format!("complete: {total} runs")),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn each_point_runs_a_prefix_of_the_fixed_runs_replicates() {
    let dir = TempDir::new().unwrap();
    let adaptive = run_with(&dir, NOISE_SWEEP, "adaptive", &[]);
    // `--replications 200` replaces the rule: the fixed run with `max` replicates.
    let fixed = run_with(&dir, NOISE_SWEEP, "fixed", &["--replications", "200"]);
    assert!(manifest(&fixed).get("adaptive").is_none());
    assert!(
        !fs::read_to_string(fixed.join("summary.csv"))
            .unwrap()
            .contains("target_met")
    );
    let fixed_rows = run_rows(&fixed);
    let counts = manifest(&adaptive)["adaptive"]["replicates"].clone();
    let mut expected = BTreeMap::new();
    for (point, n) in counts.as_array().unwrap().iter().enumerate() {
        for r in 0..n.as_u64().unwrap() {
            let id = point as u64 * 200 + r;
            expected.insert(id, fixed_rows[&id].clone());
        }
    }
    assert_eq!(run_rows(&adaptive), expected);
}

#[test]
fn the_thread_count_does_not_change_an_adaptive_run() {
    let dir = TempDir::new().unwrap();
    // A model with time series, two swept parameters and a relative target.
    let text = r#"
[scenario]
name = "march"
model = "march1991"
replications = { target_relative_half_width = 0.02, metric = "code_knowledge", min = 4, max = 60 }
seed = 9
ticks = 40
record_every = 10

[sweep]
socialisation = [0.1, 0.9]
turnover = [0.0, 0.1]
"#;
    let one = run_with(&dir, text, "t1", &["--threads", "1"]);
    let counts = manifest(&one)["adaptive"]["replicates"].clone();
    let distinct: std::collections::BTreeSet<String> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        distinct.len() > 1,
        "the points should need different replicates: {counts}"
    );
    for threads in ["2", "3"] {
        let many = run_with(&dir, text, &format!("t{threads}"), &["--threads", threads]);
        assert_same_files(
            &one,
            &many,
            &["runs.csv", "timeseries.csv", "summary.csv", "points.csv"],
            &format!("1 and {threads} threads"),
        );
        assert_eq!(manifest(&many)["adaptive"], manifest(&one)["adaptive"]);
    }
}

#[test]
fn options_are_judged_on_their_paired_difference_from_the_baseline() {
    let dir = TempDir::new().unwrap();
    // Both options see the same draw z in replicate r (common random numbers): each alone has a
    // noise SD of 1 or 1.5, their difference only 0.5 · z. The target 0.3 needs about 11 pairs on
    // the difference, but about 43 and 96 replicates on each option's own mean.
    let text = r#"
[scenario]
name = "paired"
model = "ishigami"
replications = { target_half_width = 0.3, min = 5, max = 500 }
seed = 5
baseline = "calm"

[params]
x1 = 1.0

[sweep]
x2 = [0.0, 1.0]

[[option]]
name = "noisy"
set = { noise = 1.5 }

[[option]]
name = "calm"
set = { noise = 1.0 }
"#;
    let out = run_with(&dir, text, "paired", &[]);
    let m = manifest(&out);
    assert_eq!(m["adaptive"]["judged_on"], "paired_difference");
    let rows = summary(&out);
    for setting in ["0", "1"] {
        let at: Vec<_> = rows.iter().filter(|r| r["x2"] == setting).collect();
        assert_eq!(at.len(), 2);
        // Both options of a setting get the same replicates, and the target is met...
        assert_eq!(at[0]["replicates"], at[1]["replicates"]);
        assert!(at.iter().all(|r| r["target_met"] == "true"));
        let n: u64 = at[0]["replicates"].parse().unwrap();
        assert!((5..=25).contains(&n), "{n}");
        // ...though neither option's own mean is that precise: the difference was judged.
        for row in at {
            let half = (row["ci_high"].parse::<f64>().unwrap()
                - row["ci_low"].parse::<f64>().unwrap())
                / 2.0;
            assert!(half > 0.3, "{row:?}");
        }
    }
    // The paired comparison of the saved directory is within the target.
    let compared = orgsim()
        .args(["compare", "--format", "csv"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(compared.status.success(), "{}", stderr_of(&compared));
    let mut reader = csv::Reader::from_reader(compared.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut noisy_rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if &record[col("option")] == "noisy" {
            noisy_rows += 1;
            let lo: f64 = record[col("diff_ci_low")].parse().unwrap();
            let hi: f64 = record[col("diff_ci_high")].parse().unwrap();
            assert!((hi - lo) / 2.0 <= 0.3 + 1e-12, "{lo} {hi}");
        }
    }
    assert_eq!(noisy_rows, 2);
}

#[test]
fn an_interrupted_adaptive_run_resumes_to_the_same_files() {
    let dir = TempDir::new().unwrap();
    // Relative target 1e-6 cannot be met: every setting runs to `max` (2 options × 1200 runs).
    let text = "[scenario]\nname = \"k\"\nmodel = \"datateam\"\nreplications = { target_relative_half_width = 1e-6, min = 10, max = 1200 }\nseed = 3\nrecord_every = 52\n\n[[option]]\nname = \"hub\"\n\n[[option]]\nname = \"embedded\"\nset = { structure = \"embedded\" }\n";
    let file = write(&dir, "k.toml", text);
    let run = |out: &Path, threads: &str, extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_orgsim"));
        c.arg("run")
            .arg(&file)
            .arg("--out")
            .arg(out)
            .args(["--no-plots", "-q", "--threads", threads])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        c
    };
    let full = dir.path().join("full");
    assert!(run(&full, "2", &[]).status().unwrap().success());
    let out = dir.path().join("part");
    let staging = dir.path().join(".part.partial");
    let mut child = run(&out, "2", &[]).spawn().unwrap();
    // The ledger is written once the replicates are decided; wait for a checkpoint after it.
    wait_for_checkpoints(&staging, 3);
    child.kill().unwrap();
    let _ = child.wait();
    assert!(!out.exists());
    let status = orgsim().arg("status").arg(&out).output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.contains("of 2400 runs done"), "{status}");
    let resumed = run(&out, "1", &["--resume"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(stderr_of(&resumed).contains("resuming"));
    assert_same_files(
        &full,
        &out,
        &["runs.csv", "timeseries.csv", "summary.csv"],
        "an uninterrupted run and a killed and resumed one",
    );
    assert_eq!(manifest(&out)["adaptive"], manifest(&full)["adaptive"]);
}

#[test]
fn what_adaptive_replication_does_not_support_is_refused_with_exit_2() {
    // A shard holds whole points: with 4 points, 5 shards would leave one empty.
    expect_bad_run(
        NOISE_SWEEP,
        &["--shard", "2/5"],
        &[
            "--shard 2/5",
            "by whole points",
            "has 4 of them",
            "at most 4 shards",
        ],
    );
    let with_design = "[scenario]\nname = \"d\"\nmodel = \"ishigami\"\nreplications = { target_half_width = 0.5, max = 20 }\n\n[design]\nmethod = \"lhs\"\nn = 8\n\n[design.space]\nx1 = { from = -1, to = 1 }\n";
    expect_bad_run(
        with_design,
        &[],
        &["bad.toml:4:", "not available with a [design]"],
    );
    expect_bad_run(
        &NOISE_SWEEP.replace("min = 10", "mni = 10"),
        &[],
        &["bad.toml:5:", "unknown key `mni`", "did you mean \"min\""],
    );
    expect_bad_run(
        &NOISE_SWEEP.replace("metric = \"y\"", "metric = \"why\""),
        &[],
        &["unknown metric \"why\"", "did you mean \"y\""],
    );
}

/// Two options (one a scheduled change, so change.csv is written) over four settings of March's
/// model; the target 0.022 on the paired difference needs 32 to 64 pairs, so the settings stop at
/// 32, 52 and 60 pairs, one at `max` with the target not met.
const OPTION_SWEEP: &str = r#"
[scenario]
name = "options"
model = "march1991"
replications = { target_half_width = 0.022, metric = "code_knowledge", min = 4, max = 60 }
seed = 9
ticks = 40
record_every = 10

[sweep]
turnover = [0.0, 0.03, 0.06, 0.1]

[[option]]
name = "slow"
set = { socialisation = 0.1 }

[[option]]
name = "speed up"
set = { socialisation = 0.1 }
schedule = [{ at = 20, set = { socialisation = 0.9 } }]
"#;

/// The shards' `shard.points`, in shard order.
fn held_points(shards: &[std::path::PathBuf]) -> Vec<Vec<u64>> {
    let mut held: Vec<(u64, Vec<u64>)> = shards
        .iter()
        .map(|dir| {
            let m = manifest(dir);
            let points = m["shard"]["points"]
                .as_array()
                .unwrap_or_else(|| panic!("{} lists no points", dir.display()))
                .iter()
                .map(|p| p.as_u64().unwrap())
                .collect();
            (m["shard"]["index"].as_u64().unwrap(), points)
        })
        .collect();
    held.sort();
    held.into_iter().map(|(_, points)| points).collect()
}

#[test]
fn an_adaptive_sweep_run_as_three_shards_merges_into_the_same_bytes_as_one_run() {
    let dir = TempDir::new().unwrap();
    for (text, tag, extra, expected_split) in [
        (
            NOISE_SWEEP,
            "plain",
            &[][..],
            vec![vec![0], vec![1], vec![2, 3]],
        ),
        // A setting's options stay in one shard: setting s is points s and 4 + s.
        (
            OPTION_SWEEP,
            "options",
            &["change.csv", "change_trajectory.csv"][..],
            vec![vec![0, 4], vec![1, 5], vec![2, 3, 6, 7]],
        ),
    ] {
        let whole = run_with(&dir, text, &format!("{tag}-whole"), &["--threads", "2"]);
        let (merged, shards) = run_shards_and_merge(&dir, text, tag);
        let decided = manifest(&whole)["adaptive"].clone();
        let counts: Vec<u64> = decided["replicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        let met = decided["target_met"].as_array().unwrap();
        // The sweep is one where a wrong split or a wrong count would show.
        assert!(
            counts
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                > 2,
            "{tag}: {counts:?}"
        );
        assert!(
            met.contains(&true.into()) && met.contains(&false.into()),
            "{tag}: {met:?}"
        );
        assert_eq!(held_points(&shards), expected_split, "{tag}");
        // Each shard ran exactly its own points' decided replicates, nothing of the others'.
        for shard in &shards {
            let m = manifest(shard);
            let held: Vec<u64> = m["shard"]["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_u64().unwrap())
                .collect();
            let expected: u64 = held.iter().map(|&p| counts[p as usize]).sum();
            assert_eq!(
                run_rows(shard).len() as u64,
                expected,
                "{}",
                shard.display()
            );
            for (p, &n) in counts.iter().enumerate() {
                let got = m["adaptive"]["replicates"][p].as_u64().unwrap();
                assert_eq!(got, if held.contains(&(p as u64)) { n } else { 0 });
            }
        }
        let mut files = vec![
            "runs.csv",
            "timeseries.csv",
            "summary.csv",
            "points.csv",
            "comparison.csv",
        ];
        files.extend(extra);
        assert_same_files(
            &whole,
            &merged,
            &files,
            &format!("{tag}: one run and 3 merged shards"),
        );
        assert_eq!(manifest(&merged)["adaptive"], decided, "{tag}");
        assert!(manifest(&merged)["shard"].is_null());
        // The merged directory passes every reader's integrity checks.
        orgsim().arg("compare").arg(&merged).assert().success();
    }
}

#[test]
fn merging_adaptive_shards_refuses_a_missing_duplicated_or_foreign_shard() {
    let dir = TempDir::new().unwrap();
    let (_, shards) = run_shards_and_merge(&dir, OPTION_SWEEP, "s");
    // run_shards_and_merge runs shards 3, 1, 2 in that order.
    let (s3, s1, s2) = (&shards[0], &shards[1], &shards[2]);
    let copy = dir.path().join("s-shard1-copy");
    fs::create_dir(&copy).unwrap();
    for entry in fs::read_dir(s1).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    // The same sweep with a fixed number of replicates (`max`): the same points and
    // replications, but not the same sweep.
    let file = write(&dir, "fixed.toml", OPTION_SWEEP);
    let fixed = dir.path().join("fixed-shard2");
    orgsim()
        .arg("run")
        .arg(&file)
        .args(["--shard", "2/3", "--replications", "60", "-q", "--out"])
        .arg(&fixed)
        .assert()
        .success();
    let out = dir.path().join("bad");
    let cases: [(Vec<&Path>, Vec<String>); 3] = [
        (vec![s1, s3], vec!["shard 2/3 is missing".into()]),
        (
            vec![s1, s2, s3, &copy],
            vec![
                "shard 1/3 is given twice".into(),
                s1.display().to_string(),
                copy.display().to_string(),
            ],
        ),
        (
            vec![s1, &fixed, s3],
            vec![fixed.display().to_string(), "`adaptive`".into()],
        ),
    ];
    for (given, needles) in cases {
        let result = orgsim()
            .arg("merge")
            .args(&given)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = stderr_of(&result);
        assert_eq!(result.status.code(), Some(2), "{err}");
        for needle in &needles {
            assert!(
                err.contains(needle.as_str()),
                "expected {needle:?} in: {err}"
            );
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn an_interrupted_adaptive_shard_resumes_to_the_same_files() {
    let dir = TempDir::new().unwrap();
    // As the unsharded resume test, over two settings: shard 2/2 holds the setting units = 8 with
    // both options (points 1 and 3), 2 × 1200 runs, as the target cannot be met.
    let text = "[scenario]\nname = \"ks\"\nmodel = \"datateam\"\nreplications = { target_relative_half_width = 1e-6, min = 10, max = 1200 }\nseed = 3\nrecord_every = 52\n\n[sweep]\nunits = [4, 8]\n\n[[option]]\nname = \"hub\"\n\n[[option]]\nname = \"embedded\"\nset = { structure = \"embedded\" }\n";
    let file = write(&dir, "ks.toml", text);
    let run = |out: &Path, shard: &str, threads: &str, extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_orgsim"));
        c.arg("run")
            .arg(&file)
            .args(["--shard", shard, "--out"])
            .arg(out)
            .args(["-q", "--threads", threads])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        c
    };
    let full = dir.path().join("full");
    assert!(run(&full, "2/2", "2", &[]).status().unwrap().success());
    assert_eq!(
        manifest(&full)["shard"]["points"],
        serde_json::json!([1, 3])
    );
    let out = dir.path().join("part");
    let staging = dir.path().join(".part.partial");
    let mut child = run(&out, "2/2", "2", &[]).spawn().unwrap();
    wait_for_checkpoints(&staging, 3);
    child.kill().unwrap();
    let _ = child.wait();
    assert!(!out.exists());
    let status = orgsim().arg("status").arg(&out).output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.contains("of 2400 runs done"), "{status}");
    assert!(status.contains("--shard 2/2"), "{status}");
    let resumed = run(&out, "2/2", "1", &["--resume"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(stderr_of(&resumed).contains("resuming"));
    assert_same_files(
        &full,
        &out,
        &["runs.csv", "timeseries.csv", "points.csv"],
        "an uninterrupted shard and a killed and resumed one",
    );
    assert_eq!(manifest(&out)["adaptive"], manifest(&full)["adaptive"]);
    assert_eq!(manifest(&out)["shard"], manifest(&full)["shard"]);
    // A requeued task whose shard is complete does nothing; another shard's resume is refused.
    let again = run(&out, "2/2", "1", &["--resume"]).output().unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(stderr_of(&again).contains("already complete"));
    let other = run(&out, "1/2", "1", &["--resume"]).output().unwrap();
    assert_eq!(other.status.code(), Some(2), "{}", stderr_of(&other));
    assert!(
        stderr_of(&other).contains("the shard differ"),
        "{}",
        stderr_of(&other)
    );
}

#[test]
fn failed_runs_of_interleaved_adaptive_shards_merge_in_run_id_order() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "f.toml", OPTION_SWEEP);
    // Shard 1 holds points 0 and 4, shard 2 points 1 and 5 (max 60): run 241 (point 4) fails in
    // shard 1 and run 61 (point 1) in shard 2, so shard order is not run-id order.
    let mut shards = Vec::new();
    for (k, fault) in [(1, Some("241")), (2, Some("61")), (3, None)] {
        let out = dir.path().join(format!("f{k}"));
        let mut c = orgsim();
        c.arg("run")
            .arg(&file)
            .args(["--shard", &format!("{k}/3"), "-q", "--out"])
            .arg(&out);
        if let Some(id) = fault {
            c.env("ORGSIM_FAULT_RUN", id);
        }
        let result = c.output().unwrap();
        assert_eq!(
            result.status.code(),
            Some(if fault.is_some() { 1 } else { 0 })
        );
        shards.push(out);
    }
    let merged = dir.path().join("merged");
    orgsim()
        .arg("merge")
        .args(&shards)
        .args(["--no-plots", "--out"])
        .arg(&merged)
        .assert()
        .success();
    let failed: Vec<String> = fs::read_to_string(merged.join("failures.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(failed, ["61", "241"]);
    assert_eq!(manifest(&merged)["failed_runs"], 2);
    let rows = run_rows(&merged);
    assert!(!rows.contains_key(&61) && !rows.contains_key(&241));
    orgsim().arg("compare").arg(&merged).assert().success();
}
