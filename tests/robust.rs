//! Robust choices (issue 11): regret across a design crossed with options, and scenario discovery.
//! - `run` of a small datateam design × 3 options prints the ranked robustness table and writes
//!   robustness.csv (tidy columns) with regret equal to a hand computation from runs.csv;
//! - the files do not depend on the thread count;
//! - `orgsim robustness DIR` and `orgsim discover DIR --case` work on the saved directory, and bad
//!   input (case, metric, section key, option-versus-design conflict) exits 2 with a clear message;
//! - PRIM agrees with EMA Workbench's (`scripts/prim_check.py`, with `ORGSIM_EMA_PYTHON`) on
//!   synthetic data with real, whole-number and categorical parameters, and on a saved run.

use std::collections::HashMap;
use std::path::Path;

use orgsim::analysis::prim::{self, Data, Kind, Limit};
use orgsim::analysis::robustness;
use tempfile::TempDir;

use crate::cli::{orgsim, write};

/// Three options × a 24-point hypercube × 3 replicates, one simulated year: 216 quick runs.
const SMALL: &str = r#"
[scenario]
name = "robust-small"
model = "datateam"
replications = 3
seed = 5
ticks = 52
record_every = 0
baseline = "status quo"

[design]
method = "lhs"
n = 24
seed = 3

[design.space]
turbulence = { from = 0.01, to = 0.15 }
units = { from = 2, to = 12 }
politics = { from = 0.0, to = 0.5 }

[robustness]
percentile = 80
threshold = 0
from_baseline = true

[[option]]
name = "status quo"
set = { structure = "centralised", incentive = "kpi" }

[[option]]
name = "embed everyone"
set = { structure = "embedded", incentive = "mixed" }

[[option]]
name = "hub and spoke, impact"
set = { structure = "hub_and_spoke", hub_share = 0.2, incentive = "impact", psych_safety = 0.8 }
"#;

fn run(dir: &TempDir, scenario: &str, out: &str, threads: &str) -> (std::path::PathBuf, String) {
    let file = write(dir, "robust.toml", scenario);
    let out = dir.path().join(out);
    let result = orgsim()
        .args([
            "run",
            "--quiet",
            "--no-plots",
            "--threads",
            threads,
            "--out",
        ])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (out, String::from_utf8_lossy(&result.stdout).to_string())
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn run_prints_the_ranking_and_regret_matches_runs_csv() {
    let dir = TempDir::new().unwrap();
    let (out, stdout) = run(&dir, SMALL, "out", "2");
    assert!(stdout.contains("Robustness of Value added"), "{stdout}");
    assert!(stdout.contains("p80 regret"), "{stdout}");
    assert!(stdout.contains("minimises the maximum regret"), "{stdout}");
    assert!(stdout.contains("Scenario discovery (PRIM)"), "{stdout}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    for f in robustness::files() {
        assert!(out.join(f).is_file(), "{f} missing");
        assert!(manifest.contains(&format!("\"{f}\"")), "{f} not listed");
    }
    let table = rows(&out.join("robustness.csv"));
    let header: Vec<String> = csv::Reader::from_path(out.join("robustness.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "option",
            "metric",
            "statistic",
            "estimate",
            "lo",
            "hi",
            "points",
            "replicates",
            "note"
        ]
    );
    let stats: Vec<&str> = table
        .iter()
        .filter(|r| r["option"] == "status quo")
        .map(|r| r["statistic"].as_str())
        .collect();
    assert_eq!(
        stats,
        [
            "expected_value",
            "mean_regret",
            "regret_p80",
            "max_regret",
            "share_best",
            "regret_bias",
            "satisficing_share"
        ]
    );
    // By hand from runs.csv: replicate means per (option, point), regret against the best.
    let points = 24;
    let mut sums = vec![[0.0f64; 3]; 3 * points];
    for r in rows(&out.join("runs.csv")) {
        let id: usize = r["point_id"].parse().unwrap();
        let v: f64 = r["value_added"].parse().unwrap();
        sums[id][0] += v;
        sums[id][1] += 1.0;
    }
    let mean = |o: usize, j: usize| sums[o * points + j][0] / sums[o * points + j][1];
    let names = ["status quo", "embed everyone", "hub and spoke, impact"];
    let mut share_total = 0.0;
    for (o, name) in names.iter().enumerate() {
        let regret: Vec<f64> = (0..points)
            .map(|j| (0..3).map(|x| mean(x, j)).fold(f64::MIN, f64::max) - mean(o, j))
            .collect();
        let get = |s: &str| -> f64 {
            table
                .iter()
                .find(|r| r["option"] == *name && r["statistic"] == s)
                .unwrap()["estimate"]
                .parse()
                .unwrap()
        };
        let mean_regret = regret.iter().sum::<f64>() / points as f64;
        let max_regret = regret.iter().copied().fold(0.0, f64::max);
        let satisficing = (0..points)
            .filter(|&j| mean(o, j) - mean(0, j) >= 0.0)
            .count() as f64
            / points as f64;
        assert!((get("mean_regret") - mean_regret).abs() < 1e-9, "{name}");
        assert!((get("max_regret") - max_regret).abs() < 1e-9, "{name}");
        assert!(
            (get("satisficing_share") - satisficing).abs() < 1e-12,
            "{name}"
        );
        let ev = (0..points).map(|j| mean(o, j)).sum::<f64>() / points as f64;
        assert!((get("expected_value") - ev).abs() < 1e-9, "{name}");
        share_total += get("share_best");
        // Every interval holds its estimate's neighbourhood: lo ≤ hi, and no interval for the max.
        for r in table.iter().filter(|r| r["option"] == *name) {
            let (lo, hi) = (&r["lo"], &r["hi"]);
            if r["statistic"] == "max_regret" || r["statistic"] == "regret_bias" {
                assert!(lo.is_empty() && hi.is_empty());
            } else {
                assert!(lo.parse::<f64>().unwrap() <= hi.parse::<f64>().unwrap());
            }
        }
    }
    assert!((share_total - 1.0).abs() < 1e-12, "shares of best sum to 1");
    // regret.csv: one row per option and design point, regret 0 exactly where best.
    let regret = rows(&out.join("regret.csv"));
    assert_eq!(regret.len(), 3 * points);
    assert!(
        regret
            .iter()
            .all(|r| (r["regret"] == "0") == (r["best"] == "true"))
    );
}

#[test]
fn robustness_files_do_not_depend_on_threads() {
    let dir = TempDir::new().unwrap();
    let (one, _) = run(&dir, SMALL, "one", "1");
    let (two, _) = run(&dir, SMALL, "two", "2");
    for f in robustness::files() {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn commands_on_a_saved_directory_and_bad_input() {
    let dir = TempDir::new().unwrap();
    let (out, _) = run(&dir, SMALL, "out", "2");
    let done = orgsim()
        .args(["robustness", "--no-plots", "--percentile", "50"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(done.status.success());
    let text = String::from_utf8_lossy(&done.stdout);
    assert!(text.contains("p50 regret"), "{text}");
    assert!(
        rows(&out.join("robustness.csv"))
            .iter()
            .any(|r| r["statistic"] == "regret_p50")
    );
    let case = "\"embed everyone\" beats baseline by 1 on value_added";
    let done = orgsim()
        .args(["discover", "--case", case])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = String::from_utf8_lossy(&done.stdout);
    assert!(text.contains(&format!("Case {case}")), "{text}");
    let boxes = rows(&out.join("prim_boxes.csv"));
    assert!(!boxes.is_empty() && boxes.iter().all(|r| r["case"] == case));
    let trajectory = rows(&out.join("prim_trajectory.csv"));
    assert_eq!(trajectory[0]["step"], "0");
    assert_eq!(trajectory[0]["mass"], "1");

    // Bad input: exit 2, naming what is wrong and what is allowed.
    let fail = |args: &[&str], needles: &[&str]| {
        let done = orgsim().args(args).arg(&out).output().unwrap();
        assert_eq!(done.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&done.stderr);
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
    };
    fail(
        &["discover", "--case", "\"embed everyon\" is best"],
        &[
            "--case",
            "unknown option",
            "did you mean \"embed everyone\"",
        ],
    );
    fail(
        &["discover", "--case", "\"embed everyone\" is great"],
        &["--case", "is best"],
    );
    fail(
        &["discover", "--case", "valu_added below 0"],
        &["did you mean \"value_added\""],
    );
    fail(
        &["robustness", "--metric", "trst"],
        &["--metric", "did you mean \"trust\""],
    );
    fail(&["discover", "--peel-alpha", "0.7"], &["--peel-alpha"]);

    // In the file: an unknown key, a bad case, a section without options, at their lines.
    let bad = |scenario: String, needles: &[&str]| {
        let file = write(&dir, "bad.toml", &scenario);
        let done = orgsim().arg("validate").arg(&file).output().unwrap();
        assert_eq!(done.status.code(), Some(2));
        let err = String::from_utf8_lossy(&done.stderr);
        for n in needles {
            assert!(err.contains(n), "{err}");
        }
    };
    let line_of = |text: &str, start: &str| {
        let n = text.lines().position(|l| l.starts_with(start)).unwrap() + 1;
        format!("bad.toml:{n}:")
    };
    let typo = SMALL.replace("percentile = 80", "percentil = 80");
    bad(
        typo.clone(),
        &[&line_of(&typo, "percentil"), "did you mean \"percentile\""],
    );
    let unknown = SMALL.replace(
        "from_baseline = true",
        "from_baseline = true\ncases = ['\"hub\" is best']",
    );
    bad(
        unknown.clone(),
        &[&line_of(&unknown, "cases"), "unknown option \"hub\""],
    );
    // An option may not set a parameter the design varies: both are named.
    bad(
        SMALL.replace(
            "set = { structure = \"embedded\", incentive = \"mixed\" }",
            "set = { structure = \"embedded\", incentive = \"mixed\", units = 4 }",
        ),
        &["`units`", "embed everyone", "[design.space]"],
    );
    // robustness needs a design crossed with options.
    let plain = crate::cli::SMALL;
    let file = write(&dir, "plain.toml", plain);
    let plain_out = dir.path().join("plain");
    crate::cli::run_quietly(&file, &plain_out);
    let done = orgsim().arg("robustness").arg(&plain_out).output().unwrap();
    assert_eq!(done.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&done.stderr).contains("[design]"));
}

/// Synthetic points: two reals, a whole number, a category; the case is x0 > 0.6 and w ≤ 4 with
/// 5% of points flipped (a small LCG, so the data do not depend on a crate's generator).
fn synthetic(n: usize, seed: u64) -> Data {
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut columns = vec![Vec::new(); 4];
    let mut case = Vec::new();
    for _ in 0..n {
        let x0 = next();
        let x1 = next();
        let w = (1.0 + (next() * 10.0).floor()).min(10.0);
        let c = (next() * 3.0).floor().min(2.0);
        let flip = next() < 0.05;
        columns[0].push(x0);
        columns[1].push(x1);
        columns[2].push(w);
        columns[3].push(c);
        case.push((x0 > 0.6 && w <= 4.0) != flip);
    }
    Data {
        names: vec!["x0".into(), "x1".into(), "w".into(), "c".into()],
        kinds: vec![
            Kind::Real,
            Kind::Real,
            Kind::Whole,
            Kind::Categorical(vec!["a".into(), "b".into(), "c".into()]),
        ],
        columns,
        case,
    }
}

/// Runs scripts/prim_check.py on `csv` with the Python in `python`.
fn ema(python: &str, csv: &Path, boxes: usize) -> serde_json::Value {
    let script = crate::cli::repo_file("scripts/prim_check.py");
    let result = std::process::Command::new(python)
        .arg(script)
        .arg(csv)
        .arg(boxes.to_string())
        .output()
        .expect("the EMA Workbench Python runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_slice(&result.stdout).unwrap()
}

/// Our boxes against EMA's: the same steps (n and k exactly; coverage, density and mass to 1e-12),
/// the same limits on the last step (to 1e-12) and quasi-p values to 1e-9 relative.
fn assert_agrees(data: &Data, found: &[prim::PrimBox], ema: &serde_json::Value) {
    let ema = ema.as_array().unwrap();
    assert_eq!(found.len(), ema.len(), "number of boxes");
    for (ours, theirs) in found.iter().zip(ema) {
        let steps = theirs["trajectory"].as_array().unwrap();
        assert_eq!(ours.trajectory.len(), steps.len(), "trajectory length");
        for (s, t) in ours.trajectory.iter().zip(steps) {
            assert_eq!(s.n as u64, t["n"].as_u64().unwrap());
            assert_eq!(s.k as u64, t["k"].as_f64().unwrap() as u64);
            assert_eq!(s.restricted.len() as u64, t["res_dim"].as_u64().unwrap());
            for (a, key) in [
                (s.coverage, "coverage"),
                (s.density, "density"),
                (s.mass, "mass"),
            ] {
                assert!((a - t[key].as_f64().unwrap()).abs() < 1e-12, "{key}");
            }
        }
        let last = ours.trajectory.last().unwrap();
        let limits = theirs["limits"].as_object().unwrap();
        assert_eq!(last.restricted.len(), limits.len());
        let close =
            |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300);
        for (&c, &(ql, qu)) in last.restricted.iter().zip(&last.quasi_p) {
            let t = &limits[&data.names[c]];
            match &last.limits[c] {
                Limit::Range(lo, hi) => {
                    assert!((lo - t["lower"].as_f64().unwrap()).abs() < 1e-12);
                    assert!((hi - t["upper"].as_f64().unwrap()).abs() < 1e-12);
                }
                Limit::Categories(set) => {
                    let Kind::Categorical(names) = &data.kinds[c] else {
                        panic!()
                    };
                    let ours: Vec<String> = set.iter().map(|&i| names[i].clone()).collect();
                    let theirs: Vec<String> = t["lower"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect();
                    assert_eq!(ours, theirs);
                }
            }
            let qp = t["qp"].as_array().unwrap();
            for (ours, theirs) in [ql, qu].iter().zip(qp) {
                let theirs = theirs.as_f64().unwrap();
                if theirs < 0.0 {
                    assert!(ours.is_nan(), "EMA has no quasi-p here, we have {ours}");
                } else {
                    assert!(close(*ours, theirs, 1e-9), "quasi-p {ours} vs EMA {theirs}");
                }
            }
        }
    }
}

#[test]
fn prim_agrees_with_ema_workbench() {
    let Ok(python) = std::env::var("ORGSIM_EMA_PYTHON") else {
        assert!(
            std::env::var("ORGSIM_REQUIRE_EMA").as_deref() != Ok("1"),
            "ORGSIM_REQUIRE_EMA=1 but ORGSIM_EMA_PYTHON is not set"
        );
        eprintln!(
            "SKIPPED prim_agrees_with_ema_workbench: set ORGSIM_EMA_PYTHON to a Python with ema_workbench \
             (python3 -m venv .ci/venv && .ci/venv/bin/pip install ema_workbench 'pandas<3'; ORGSIM_EMA_PYTHON=.ci/venv/bin/python)"
        );
        return;
    };
    let dir = TempDir::new().unwrap();
    // Synthetic data with all three kinds of parameter, two boxes each.
    for (n, seed) in [(600, 1), (1500, 7), (400, 42)] {
        let data = synthetic(n, seed);
        let settings = prim::Settings {
            max_boxes: 2,
            ..prim::Settings::default()
        };
        let found = prim::find_boxes(&data, settings);
        let csv = dir.path().join(format!("synthetic-{seed}.csv"));
        std::fs::write(&csv, robustness::prim_input_csv(&data)).unwrap();
        assert_agrees(&data, &found, &ema(&python, &csv, 2));
    }
    // A saved run: the default case's input, as `run` wrote it.
    let (out, _) = run(&dir, SMALL, "out", "2");
    let csv = out.join(robustness::PRIM_INPUT);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut data = Data {
        names: vec!["turbulence".into(), "units".into(), "politics".into()],
        kinds: vec![Kind::Real, Kind::Whole, Kind::Real],
        columns: vec![Vec::new(); 3],
        case: Vec::new(),
    };
    for r in reader.records() {
        let r = r.unwrap();
        for c in 0..3 {
            data.columns[c].push(r[c].parse().unwrap());
        }
        data.case.push(&r[3] == "1");
    }
    let found = prim::find_boxes(&data, prim::Settings::default());
    assert_agrees(&data, &found, &ema(&python, &csv, 1));
}
