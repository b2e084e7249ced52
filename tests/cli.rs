//! The command line as a new user meets it: every subcommand, and every kind of bad input. Bad input
//! must exit 2 with a message naming the file/line/key or flag, and leave no output directory behind.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub fn orgsim() -> Command {
    Command::cargo_bin("orgsim").expect("the orgsim binary is built")
}

pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A small, fast March scenario used as the base of many tests.
pub const SMALL: &str = r#"
[scenario]
name = "small"
description = "a small sweep"
model = "march1991"
replications = 3
seed = 11
ticks = 30
record_every = 10

[params]
code_learning = 0.5

[sweep]
socialisation = [0.1, 0.9]
"#;

pub fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    path
}

/// `orgsim run --quiet --no-plots --out OUT FILE`, which must succeed.
pub fn run_quietly(file: &Path, out: &Path) {
    orgsim()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(out)
        .arg(file)
        .assert()
        .success();
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Runs `orgsim run` on `text` with `--out` in a fresh directory and expects exit 2 with every
/// `needles` in stderr and no output directory created; `validate` must agree.
fn expect_bad_scenario(text: &str, needles: &[&str]) {
    expect_bad_run(text, &[], needles);
}

/// As [`expect_bad_scenario`], with extra `run` flags (then `validate`, which takes none, is not asked).
pub fn expect_bad_run(text: &str, flags: &[&str], needles: &[&str]) {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "bad.toml", text);
    let out_dir = dir.path().join("out");
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .args(flags)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out_dir.exists(), "no output directory may be left behind");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "only the scenario file remains: {leftovers:?}"
    );
    if flags.is_empty() {
        // validate agrees with run
        let v = orgsim().arg("validate").arg(&file).output().unwrap();
        assert_eq!(v.status.code(), Some(2));
    }
}

#[test]
fn models_lists_every_model_one_line_each() {
    let out = orgsim()
        .arg("models")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.lines().any(|l| l.starts_with("march1991 ")), "{text}");
}

#[test]
fn describe_prints_parameters_with_ranges_and_metrics() {
    let out = orgsim()
        .args(["describe", "march1991"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    for needle in [
        "socialisation",
        "default 0.5",
        "[0, 1]",
        "code_knowledge",
        "equilibrium",
        "source:",
        "LEVERS",
        "Socialisation",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
}

#[test]
fn describe_unknown_model_suggests() {
    let out = orgsim().args(["describe", "march1990"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("did you mean \"march1991\""),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn every_shipped_scenario_validates() {
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in walk(&repo_file("scenarios")) {
        if entry.extension().is_some_and(|e| e == "toml") {
            files.push(entry);
        }
    }
    assert!(
        files.len() >= 5,
        "the March scenarios are shipped: {files:?}"
    );
    let out = orgsim().arg("validate").args(&files).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("ok: "))
            .count(),
        files.len()
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn run_writes_every_output_file_with_the_documented_columns() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out_dir = dir.path().join("out");
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("--threads")
        .arg("2")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("6 runs") && stdout.contains(&out_dir.display().to_string()),
        "{stdout}"
    );

    let runs = fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    assert!(
        header.starts_with("run_id,point_id,replicate,seed,dimensions,"),
        "{header}"
    );
    assert!(header.ends_with("code_knowledge,code_match,individual_knowledge,individual_knowledge_slow,individual_knowledge_fast,periods,equilibrium"));
    assert_eq!(runs.lines().count(), 1 + 6);
    let ids: Vec<u64> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5], "sorted by run_id");

    let ts = fs::read_to_string(out_dir.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("point_id,replicate,tick,code_knowledge,"));
    let ticks: Vec<&str> = ts
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("0,0,"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        ticks,
        vec!["0", "10", "20", "30"],
        "tick 0, the cadence and the last tick"
    );

    let summary = fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("point_id,socialisation,metric,n,mean,sd,se,ci_low,ci_high,min,max"),
        "{summary}"
    );
    assert_eq!(summary.lines().count(), 1 + 2 * 7);

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["model"], "march1991");
    assert_eq!(manifest["master_seed"], 11);
    assert_eq!(manifest["replications"], 3);
    assert_eq!(manifest["threads"], 2);
    assert_eq!(manifest["points"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["scenario"]["text"], SMALL);
    assert_eq!(manifest["scenario"]["sha256"].as_str().unwrap().len(), 64);
    assert!(
        manifest["command_line"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--threads")
    );
    assert!(out_dir.join("points.csv").exists());
    // nothing but the outputs (no staging leftovers) next to the output directory
    let siblings: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(siblings.iter().all(|s| !s.starts_with('.')), "{siblings:?}");
}

#[test]
fn run_defaults_to_outputs_slash_scenario_name() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    orgsim()
        .current_dir(dir.path())
        .arg("run")
        .arg(&file)
        .arg("-q")
        .assert()
        .success();
    assert!(dir.path().join("outputs/small/runs.csv").exists());
}

#[test]
fn run_refuses_a_non_empty_output_directory_and_keeps_it() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    fs::write(out_dir.join("precious.txt"), "keep me").unwrap();
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("--out") && err.contains("--overwrite"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(out_dir.join("precious.txt")).unwrap(),
        "keep me"
    );

    // --overwrite replaces only an orgsim output: this folder has no manifest.json, so it is kept.
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("--overwrite")
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("out") && err.contains("manifest.json") && err.contains("--overwrite"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(out_dir.join("precious.txt")).unwrap(),
        "keep me"
    );

    // An earlier output is replaced.
    let earlier = dir.path().join("earlier");
    let overwrite_earlier = || {
        orgsim()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&earlier)
            .arg("--overwrite")
            .arg("-q")
            .assert()
            .success();
    };
    overwrite_earlier();
    overwrite_earlier();
    fs::write(earlier.join("stale.txt"), "old").unwrap();
    overwrite_earlier();
    assert!(earlier.join("runs.csv").exists());
    assert!(
        !earlier.join("stale.txt").exists(),
        "--overwrite replaces an earlier output"
    );
}

#[test]
fn set_overrides_a_base_parameter_and_is_validated() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["--set", "turnover=0.05", "-q"])
        .assert()
        .success();
    let points = fs::read_to_string(out_dir.join("points.csv")).unwrap();
    let header: Vec<&str> = points.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "turnover").unwrap();
    assert!(
        points
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(col) == Some("0.05"))
    );

    for (flag, needle) in [
        ("turnovr=0.1", "did you mean \"turnover\""),
        ("turnover=2", "from 0 to 1"),
        ("turnover", "NAME=VALUE"),
        ("socialisation=0.5", "swept"),
        ("turnover=abc", "expected a number"),
    ] {
        let out = orgsim()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("never"))
            .args(["--set", flag])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--set {flag}");
        let err = stderr_of(&out);
        assert!(
            err.contains("--set") && err.contains(needle),
            "--set {flag}: {err}"
        );
        assert!(!dir.path().join("never").exists());
    }
}

#[test]
fn replications_and_seed_flags_override_the_file() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["--replications", "5", "--seed", "99", "-q"])
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["replications"], 5);
    assert_eq!(manifest["master_seed"], 99);
}

#[test]
fn bad_flags_exit_2() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    for args in [
        vec!["--threads", "0"],
        vec!["--replications", "0"],
        vec!["--threads", "two"],
        vec!["--bogus"],
    ] {
        let out = orgsim()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("never"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!dir.path().join("never").exists());
        let err = stderr_of(&out);
        assert!(err.contains(args[0]), "{args:?}: {err}");
    }
}

#[test]
fn missing_file_directory_and_non_toml_are_clear_errors() {
    let dir = TempDir::new().unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (dir.path().join("nope.toml"), "no such file"),
        (dir.path().to_path_buf(), "is a directory"),
        (
            write(&dir, "junk.toml", "this is = = not toml"),
            "junk.toml:1:",
        ),
    ];
    for (path, needle) in cases {
        let out = orgsim()
            .arg("run")
            .arg(&path)
            .arg("--out")
            .arg(dir.path().join("never"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = stderr_of(&out);
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!dir.path().join("never").exists());
    }
    let bin = dir.path().join("binary.toml");
    fs::write(&bin, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let out = orgsim().arg("validate").arg(&bin).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("binary.toml"));
}

#[test]
fn unwritable_output_directory_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let blocker = write(&dir, "blocker", "a file where a directory should be");
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(blocker.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("blocker"));
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&blocker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("not a directory"));
}

#[test]
fn unknown_model_lists_the_known_ones() {
    expect_bad_scenario(
        &SMALL.replace("\"march1991\"", "\"march1919\""),
        &[
            "bad.toml:5:",
            "unknown model \"march1919\"",
            "march1991",
            "did you mean",
        ],
    );
}

#[test]
fn unknown_keys_are_named_with_a_suggestion() {
    expect_bad_scenario(
        &SMALL.replace("replications = 3", "replicatons = 3"),
        &[
            "bad.toml:6:",
            "replicatons",
            "did you mean \"replications\"",
            // each allowed key once, though the header and option tables share some
            "allowed here: name, description, model, replications, seed, ticks, stop, record_every, baseline, per_unit;",
        ],
    );
    expect_bad_scenario(
        &SMALL.replace("[sweep]", "[swep]"),
        &["swep", "did you mean \"sweep\""],
    );
}

#[test]
fn unknown_parameter_suggests_the_near_miss() {
    expect_bad_scenario(
        &SMALL.replace("code_learning = 0.5", "code_lerning = 0.5"),
        &[
            "bad.toml:12:1",
            "unknown parameter `code_lerning`",
            "did you mean \"code_learning\"",
        ],
    );
    expect_bad_scenario(
        &SMALL.replace("socialisation = [", "socialization = ["),
        &["bad.toml:15:1", "did you mean \"socialisation\""],
    );
}

#[test]
fn wrong_types_and_ranges_say_what_is_allowed() {
    expect_bad_scenario(
        &SMALL.replace("code_learning = 0.5", "code_learning = \"high\""),
        &["bad.toml:12:17", "expected a number", "from 0 to 1"],
    );
    expect_bad_scenario(
        &SMALL.replace("code_learning = 0.5", "code_learning = 1.5"),
        &["bad.toml:12:17", "out of range", "from 0 to 1"],
    );
    expect_bad_scenario(
        &SMALL.replace("[0.1, 0.9]", "[0.1, 1.9]"),
        &["bad.toml:15:", "out of range"],
    );
    expect_bad_scenario(
        &SMALL.replace("replications = 3", "replications = \"three\""),
        &["bad.toml:6:", "invalid type"],
    );
    expect_bad_scenario(
        &SMALL.replace("code_learning = 0.5", "dimensions = 30.5"),
        &["whole number"],
    );
    expect_bad_scenario(
        &SMALL.replace("code_learning = 0.5", "code_learning = true"),
        &["expected a number"],
    );
}

#[test]
fn empty_and_duplicate_sweeps_are_refused() {
    expect_bad_scenario(
        &SMALL.replace("[0.1, 0.9]", "[]"),
        &["bad.toml:15:", "empty"],
    );
    expect_bad_scenario(
        &SMALL.replace("[0.1, 0.9]", "[0.1, 0.1]"),
        &["bad.toml:15:", "0.1 twice"],
    );
    expect_bad_scenario(
        &SMALL.replace("[0.1, 0.9]", "{ from = 0.9, to = 0.1, step = 0.1 }"),
        &["below"],
    );
    expect_bad_scenario(
        &SMALL.replace("[0.1, 0.9]", "{ from = 0.1, to = 0.9, stp = 0.1 }"),
        &["did you mean \"step\""],
    );
    expect_bad_scenario(
        &SMALL.replace("[sweep]", "[sweep]\nmode = \"zipp\""),
        &["did you mean \"zip\""],
    );
    expect_bad_scenario(
        &SMALL.replace("[sweep]", "[sweep]\ncode_learning = [0.1, 0.2]"),
        &["bad.toml:15:1", "set in [params] (line 12) and swept"],
    );
    expect_bad_scenario(
        &SMALL.replace(
            "[sweep]",
            "[sweep]\nmode = \"zip\"\nturnover = [0.1, 0.2, 0.3]",
        ),
        &["same length"],
    );
}

#[test]
fn zero_replications_and_bad_header_values_are_refused() {
    expect_bad_scenario(
        &SMALL.replace("replications = 3", "replications = 0"),
        &["bad.toml:6:", "at least 1"],
    );
    expect_bad_scenario(
        &SMALL.replace("ticks = 30", "ticks = 0"),
        &["ticks", "at least 1"],
    );
    expect_bad_scenario(&SMALL.replace("seed = 11", "seed = -1"), &["seed"]);
    expect_bad_scenario(
        &SMALL.replace("name = \"small\"", "name = \"a b/c\""),
        &["letters, digits"],
    );
    expect_bad_scenario(
        &SMALL.replace("[scenario]\nname = \"small\"\n", "[scenario]\n"),
        &["missing key", "name"],
    );
}

/// `per_unit` takes a boolean, and only for a model with per-unit metrics, from the file or the flag.
#[test]
fn per_unit_is_validated_where_it_is_asked_for() {
    expect_bad_scenario(
        &SMALL.replace("record_every = 10", "record_every = 10\nper_unit = \"yes\""),
        &[
            "bad.toml:10:12",
            "`per_unit` takes true or false",
            "\"yes\"",
        ],
    );
    expect_bad_scenario(
        &SMALL.replace("record_every = 10", "record_every = 10\nper_unit = true"),
        &[
            "bad.toml:10:12",
            "march1991 has no per-unit metrics",
            "datateam",
        ],
    );
    expect_bad_run(
        SMALL,
        &["--per-unit"],
        &["--per-unit", "march1991 has no per-unit metrics"],
    );
}

#[test]
fn describe_lists_the_per_unit_metrics_of_a_model_that_has_them() {
    let text = |model: &str| {
        let out = orgsim().args(["describe", model]).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    };
    let datateam = text("datateam");
    let section = datateam
        .split("PER-UNIT METRICS")
        .nth(1)
        .expect("a per-unit section");
    for name in ["value_added", "welfare", "trust", "literacy", "--per-unit"] {
        assert!(section.contains(name), "{name} missing in:\n{section}");
    }
    assert!(!text("march1991").contains("PER-UNIT"));
}

#[test]
fn a_stop_rule_the_model_lacks_is_refused() {
    expect_bad_scenario(
        &SMALL.replace("ticks = 30", "ticks = 30\nstop = \"equilibrum\""),
        &["unknown stop rule", "did you mean \"equilibrium\""],
    );
}

#[test]
fn options_are_validated() {
    let with_options = |body: &str| {
        format!(
            "{}\n{body}",
            SMALL.replace("[sweep]\nsocialisation = [0.1, 0.9]\n", "")
        )
    };
    expect_bad_scenario(
        &with_options("[[option]]\nname = \"a\"\nset = { socialisaton = 0.2 }\n"),
        &["did you mean \"socialisation\""],
    );
    expect_bad_scenario(
        &with_options("[[option]]\nname = \"a\"\nset = { socialisation = 2 }\n"),
        &["out of range"],
    );
    expect_bad_scenario(
        &with_options("[[option]]\nname = \"a\"\n[[option]]\nname = \"a\"\n"),
        &["two options are named \"a\""],
    );
    expect_bad_scenario(
        &with_options("[[option]]\nname = \"fast\"\n")
            .replace("ticks = 30", "ticks = 30\nbaseline = \"fats\""),
        &["baseline \"fats\"", "did you mean \"fast\""],
    );
    expect_bad_scenario(
        &SMALL.replace(
            "[sweep]",
            "[[option]]\nname = \"x\"\nset = { socialisation = 0.2 }\n[sweep]",
        ),
        &["swept"],
    );
}

#[test]
fn schedules_need_schedulable_parameters() {
    expect_bad_scenario(
        &format!("{SMALL}\n[[schedule]]\nat = 5\nset = {{ dimensions = 10 }}\n"),
        &[
            "`dimensions` cannot change mid-run; these can:",
            "turbulence",
        ],
    );
}

#[test]
fn options_scenario_writes_an_option_column() {
    let dir = TempDir::new().unwrap();
    let text = SMALL.replace("[sweep]\nsocialisation = [0.1, 0.9]\n", "[[option]]\nname = \"slow, careful\"\nset = { socialisation = 0.1 }\n\n[[option]]\nname = \"fast\"\nset = { socialisation = 0.9 }\n");
    let file = write(&dir, "opts.toml", &text);
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("-q")
        .assert()
        .success();
    let runs = fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    assert!(runs.starts_with("run_id,point_id,option,replicate,seed,"));
    assert!(
        runs.contains("\"slow, careful\""),
        "names with commas are quoted: {runs}"
    );
    let summary = fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("point_id,option,socialisation,metric,"),
        "{summary}"
    );
}

/// Ctrl-C during a run leaves no partial output directory; the finished runs stay in the staging
/// directory with their ledger, the message says how to resume, and `--resume` finishes the sweep
/// with files identical to an uninterrupted run's.
#[test]
fn an_interrupted_run_keeps_its_work_and_resumes() {
    let dir = TempDir::new().unwrap();
    let long = SMALL
        .replace("replications = 3", "replications = 300000")
        .replace("ticks = 30", "ticks = 200");
    let (child, out_dir, staging) = start_writing(&dir, &long);
    wait_for_checkpoints(&staging, 3);
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let said = stderr_of(&out);
    assert!(
        said.contains("interrupted") && said.contains("--resume"),
        "{said}"
    );
    assert!(!out_dir.exists());
    assert!(staging.join("ledger").is_file(), "the work is kept");
    let status = orgsim().arg("status").arg(&out_dir).output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        status.contains("interrupted") && status.contains("--resume"),
        "{status}"
    );
    // Without --resume, a new run into the same --out is refused, saying how to resume.
    let file = dir.path().join("long.toml");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--resume"));
}

/// Waits until the ledger in `staging` holds at least `lines` lines (its identity, then
/// checkpoints), so that a signal sent next lands after that much durable work.
pub fn wait_for_checkpoints(staging: &Path, lines: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = fs::read_to_string(staging.join("ledger")).unwrap_or_default();
        if text.lines().count() >= lines {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint after 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A sweep killed with SIGKILL (no chance to clean up) resumes to files byte-identical to an
/// uninterrupted run's: killed right after it started and after a checkpoint, at 1 and 2 threads,
/// resumed at another thread count. A resume of a changed scenario is refused, naming the change.
#[test]
fn a_killed_sweep_resumes_to_identical_files() {
    let dir = TempDir::new().unwrap();
    let text = "[scenario]\nname = \"k\"\nmodel = \"datateam\"\nreplications = 1200\nseed = 3\nrecord_every = 52\nper_unit = true\n\n[[option]]\nname = \"hub\"\n\n[[option]]\nname = \"embedded\"\nset = { structure = \"embedded\" }\n";
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
    for (k, (threads, lines, resume_threads)) in
        [("1", 3, "2"), ("2", 2, "1")].into_iter().enumerate()
    {
        let out = dir.path().join(format!("part{k}"));
        let staging = dir.path().join(format!(".part{k}.partial"));
        let mut child = run(&out, threads, &[]).spawn().unwrap();
        wait_for_checkpoints(&staging, lines);
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        assert!(!out.exists());
        let changed = run(&out, resume_threads, &["--resume", "--seed", "4"])
            .output()
            .unwrap();
        assert_eq!(changed.status.code(), Some(2));
        assert!(
            stderr_of(&changed).contains("seed: 3 when interrupted, 4 now"),
            "{}",
            stderr_of(&changed)
        );
        let resumed = run(&out, resume_threads, &["--resume"]).output().unwrap();
        assert!(resumed.status.success(), "{}", stderr_of(&resumed));
        assert!(stderr_of(&resumed).contains("resuming"));
        for name in [
            "runs.csv",
            "timeseries.csv",
            "summary.csv",
            "units.csv",
            "units_timeseries.csv",
        ] {
            assert!(
                fs::read(full.join(name)).unwrap() == fs::read(out.join(name)).unwrap(),
                "{name} differs after kill ({threads} threads) and resume ({resume_threads})"
            );
        }
        assert!(!staging.exists());
        assert!(!out.join("ledger").exists() && !out.join("lock").exists());
    }
    // A finished run resumed again (a requeued cluster task) does nothing, successfully.
    let again = run(&full, "1", &["--resume"]).output().unwrap();
    assert!(again.status.success());
    assert!(stderr_of(&again).contains("already complete"));
}

/// Two runs into one --out: the second is refused while the first writes, naming its process.
#[test]
fn a_second_run_into_the_same_directory_is_refused_while_the_first_writes() {
    let dir = TempDir::new().unwrap();
    let long = SMALL
        .replace("replications = 3", "replications = 300000")
        .replace("ticks = 30", "ticks = 200");
    let (mut child, out_dir, staging) = start_writing(&dir, &long);
    wait_for_checkpoints(&staging, 2);
    orgsim()
        .arg("run")
        .arg(dir.path().join("long.toml"))
        .arg("--out")
        .arg(&out_dir)
        .args(["-q", "--resume"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "another orgsim run (process {})",
            child.id()
        )));
    let status = orgsim().arg("status").arg(&out_dir).output().unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("running"));
    child.kill().unwrap();
    let _ = child.wait();
    // Killed: --overwrite discards its leftovers, naming them.
    orgsim()
        .arg("run")
        .arg(dir.path().join("long.toml"))
        .arg("--out")
        .arg(&out_dir)
        .args(["-q", "--overwrite", "--replications", "2"])
        .assert()
        .success()
        .stderr(predicates::str::contains("removed the staging directory"));
}

/// Regression: the data-team model has a parameter and a metric both named `trust` (and `literacy`);
/// the comparison once read the parameter's column as the metric. Every header must name one column.
#[test]
fn regression_parameter_and_metric_columns_never_share_a_name() {
    let dir = TempDir::new().unwrap();
    let text = "[scenario]\nname = \"dt\"\nmodel = \"datateam\"\nreplications = 2\nticks = 20\nrecord_every = 10\n\n[sweep]\ntrust = [0.3, 0.6]\n";
    let file = write(&dir, "dt.toml", text);
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["-q", "--no-plots"])
        .assert()
        .success();
    for name in ["runs.csv", "points.csv", "summary.csv", "timeseries.csv"] {
        let text = fs::read_to_string(out_dir.join(name)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let mut unique = header.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            header.len(),
            "{name} repeats a column: {header:?}"
        );
    }
    let runs = fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    assert!(header.contains(&"trust_param") && header.contains(&"trust"));
    let summary = fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.starts_with("point_id,trust_param,metric,"),
        "{summary}"
    );
    // The comparison reads the trust outcome, which moves from its starting value, not the parameter.
    let mut reader = csv::Reader::from_path(out_dir.join("comparison.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (metric, mean) = (col("metric"), col("mean"));
    let trust_means: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[metric] == "trust")
        .map(|r| r[mean].parse().unwrap())
        .collect();
    assert_eq!(trust_means.len(), 2);
    assert!(
        trust_means.iter().all(|m| *m != 0.3 && *m != 0.6),
        "{trust_means:?}"
    );
}

/// An internal constant is a settable parameter: a scenario that sets or sweeps one gets its column
/// (and only that constant's), it changes the run, and a value outside its domain is refused with
/// exit 2; a scenario that leaves the constants alone has no constant columns.
#[test]
fn constants_are_settable_and_get_a_column_only_where_a_scenario_sets_them() {
    let dir = TempDir::new().unwrap();
    let base = "[scenario]\nname = \"dt\"\nmodel = \"datateam\"\nreplications = 3\nticks = 60\nrecord_every = 0\n";
    let run = |name: &str, text: &str, extra: &[&str]| {
        let out_dir = crate::determinism::run_with(&dir, text, name, extra);
        fs::read_to_string(out_dir.join("runs.csv")).unwrap()
    };
    let plain = run("plain", base, &[]);
    let header = |runs: &str| -> Vec<String> {
        runs.lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    };
    assert!(
        !header(&plain)
            .iter()
            .any(|c| c == "softmax_gain" || c == "q_rate")
    );

    let swept = run(
        "swept",
        &format!("{base}\n[sweep]\nsoftmax_gain = [1.0, 6.0]\n"),
        &[],
    );
    let columns = header(&swept);
    assert!(columns.contains(&"softmax_gain".to_string()));
    assert!(
        !columns.contains(&"q_rate".to_string()),
        "only the constant set"
    );
    let value_added = columns.iter().position(|c| c == "value_added").unwrap();
    let gain = columns.iter().position(|c| c == "softmax_gain").unwrap();
    let by_gain = |g: &str| -> Vec<String> {
        swept
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|cells| cells[gain] == g)
            .map(|cells| cells[value_added].to_string())
            .collect()
    };
    assert_ne!(by_gain("1"), by_gain("6"), "the constant moves the run");

    let set = run("set", base, &["--set", "q_rate=0.2"]);
    assert!(header(&set).contains(&"q_rate".to_string()));

    expect_bad_scenario(
        &format!("{base}\n[params]\nq_rate = 1.5\n"),
        &["bad.toml", "q_rate"],
    );
}

/// A directory written before manifests carried `format_version` (version 1) still loads and
/// compares exactly as a fresh one; a manifest of an unknown future version is refused with exit 2,
/// naming the file and the versions this build reads.
#[test]
fn manifest_format_version_1_loads_and_an_unknown_one_is_refused() {
    let dir = TempDir::new().unwrap();
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(repo_file("scenarios/march1991/fig1.toml"))
        .arg("--out")
        .arg(&out_dir)
        .args(["--replications", "2", "--no-plots", "--quiet"])
        .assert()
        .success();
    let manifest = out_dir.join("manifest.json");
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(written["format_version"], 2);
    let compare_csv = || {
        orgsim()
            .arg("compare")
            .arg(&out_dir)
            .args(["--format", "csv"])
            .output()
            .unwrap()
    };
    let fresh = compare_csv();
    assert!(fresh.status.success(), "{}", stderr_of(&fresh));

    // The fixture is the manifest of this very run as written before `format_version` existed.
    let v1 = fs::read_to_string(repo_file("tests/fixtures/manifest-v1.json")).unwrap();
    fs::write(&manifest, &v1).unwrap();
    let old = compare_csv();
    assert!(old.status.success(), "{}", stderr_of(&old));
    assert_eq!(old.stdout, fresh.stdout);

    let mut future: serde_json::Value = serde_json::from_str(&v1).unwrap();
    future["format_version"] = 99.into();
    fs::write(&manifest, future.to_string()).unwrap();
    let out = compare_csv();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains(&manifest.display().to_string()), "{err}");
    assert!(err.contains("format_version 99"), "{err}");
    assert!(err.contains("versions 1 to 2"), "{err}");
}

// ---- Guarded resources and input, decided before any run starts (issue 12) ----

/// SMALL with `from` replaced by `to` (exactly once).
fn small_with(from: &str, to: &str) -> String {
    assert_eq!(SMALL.matches(from).count(), 1, "{from}");
    SMALL.replace(from, to)
}

#[test]
fn replications_that_overflow_the_run_count_are_refused_not_wrapped() {
    expect_bad_run(
        SMALL,
        &["--replications", "9223372036854775808"],
        &["--replications", "more than 2^64 runs"],
    );
}

#[test]
fn runs_above_the_limit_name_the_flag_that_raises_it() {
    expect_bad_run(
        SMALL,
        &["--replications", "20000000"],
        &[
            "--replications",
            "40000000 runs",
            "10000000",
            "--allow-large",
        ],
    );
    expect_bad_scenario(
        &small_with("replications = 3", "replications = 20000000"),
        &["bad.toml:6:", "40000000 runs", "--allow-large"],
    );
}

#[test]
fn ticks_above_the_limit_are_refused_at_their_line() {
    expect_bad_scenario(
        &small_with("ticks = 30", "ticks = 1000000000000"),
        &["bad.toml:8:", "ticks", "10000000000", "--allow-large"],
    );
    expect_bad_scenario(
        &small_with("ticks = 30", "ticks = 9223372036854775807"),
        &["bad.toml:8:", "more than 2^64 ticks"],
    );
}

#[test]
fn expected_output_above_the_limit_is_refused() {
    // 2 points × 3 replicates × 100 million rows of timeseries each: far above 10 GiB.
    expect_bad_scenario(
        &small_with("ticks = 30", "ticks = 1000000000")
            .replace("record_every = 10", "record_every = 1"),
        &["bad.toml:", "GiB", "record_every", "--allow-large"],
    );
}

#[test]
fn a_grid_of_a_million_billion_points_is_refused_without_expanding_it() {
    let text = small_with(
        "socialisation = [0.1, 0.9]",
        "socialisation = { from = 0, to = 1, step = 0.0001 }\n\
         turnover = { from = 0, to = 1, step = 0.0001 }\n\
         turbulence = { from = 0, to = 1, step = 0.0001 }\n\
         fast_share = { from = 0, to = 1, step = 0.0001 }",
    );
    let started = std::time::Instant::now();
    expect_bad_scenario(&text, &["bad.toml:15:", "points", "at most 1000000"]);
    assert!(started.elapsed().as_secs() < 30, "refused before expanding");
}

#[test]
fn a_range_that_yields_no_values_is_refused_like_an_empty_list() {
    for (range, needle) in [
        ("{ from = 0, to = inf, step = 0.1 }", "`to` is inf"),
        ("{ from = -inf, to = 1, step = 0.1 }", "`from` is -inf"),
        ("{ from = 0, to = 1, step = 1e-300 }", "at most 100000"),
        ("{ from = 0, to = 1, step = 0 }", "above 0"),
        ("{ from = 0, to = 1, step = -0.1 }", "above 0"),
        ("{ from = 0, to = 1, step = nan }", "above 0"),
        (
            "{ from = 0.5, to = 0.5000000000001, step = 1e-14 }",
            "too small",
        ),
    ] {
        expect_bad_scenario(
            &small_with(
                "socialisation = [0.1, 0.9]",
                &format!("socialisation = {range}"),
            ),
            &["bad.toml:15:", "socialisation", needle],
        );
    }
}

#[test]
fn a_scenario_file_above_16_mib_is_refused_unread() {
    let dir = TempDir::new().unwrap();
    let big = dir.path().join("big.toml");
    let file = fs::File::create(&big).unwrap();
    file.set_len(17 * 1024 * 1024).unwrap(); // sparse: no disk used
    for target in [big.as_path(), Path::new("/dev/zero")] {
        if !target.exists() {
            continue;
        }
        let out = orgsim().arg("validate").arg(target).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&target.display().to_string()), "{err}");
        assert!(err.contains("16 MiB"), "{err}");
    }
}

#[test]
fn a_non_utf8_scenario_names_the_position_of_the_first_bad_byte() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("latin1.toml");
    fs::write(
        &path,
        b"[scenario]\nname = \"small\"\ndescription = \"caf\xe9\"\n".as_slice(),
    )
    .unwrap();
    let out = orgsim().arg("validate").arg(&path).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("latin1.toml:3:19"), "{err}");
    assert!(err.contains("0xe9") && err.contains("UTF-8"), "{err}");
}

#[test]
fn type_errors_name_types_as_a_person_would() {
    expect_bad_scenario(
        &small_with("ticks = 30", "ticks = \"thirty\""),
        &["bad.toml:8:", "a whole number"],
    );
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "bad.toml", &small_with("ticks = 30", "ticks = 3.5"));
    let err = stderr_of(&orgsim().arg("validate").arg(&file).output().unwrap());
    assert!(!err.contains("i64"), "{err}");
    expect_bad_scenario(
        &small_with("description = \"a small sweep\"", "description = 3"),
        &["bad.toml:4:", "expected text in quotes"],
    );
}

#[test]
fn a_control_character_in_a_comment_is_named_with_its_reason() {
    expect_bad_scenario(
        &small_with("seed = 11", "seed = 11 # a \u{1} comment"),
        &[
            "bad.toml:7:15",
            "control character U+0001",
            "not even in a comment",
        ],
    );
    expect_bad_scenario(
        &small_with("seed = 11", "seed = 11 # \u{1b}[2J"),
        &["bad.toml:7:13", "U+001B"],
    );
}

/// A TOML escape puts a control character into a value legally; an error quoting that value
/// shows it as an escape, never raw (the fuzz test found a form feed echoed in a scenario name).
#[test]
fn a_control_character_written_as_an_escape_is_not_echoed_raw() {
    let text = "[scenario]\nname = \"\\fx\\u001b[2J\"\nmodel = \"march1991\"\n";
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "bad.toml", text);
    let out = orgsim().arg("validate").arg(&file).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("bad.toml:2:8"), "{err}");
    assert!(err.contains("\\u{c}x\\u{1b}[2J"), "{err}");
    assert!(
        !err.chars().any(|c| c.is_control() && c != '\n'),
        "a raw control character in: {err:?}"
    );
}

#[test]
fn a_hundred_thousand_options_are_checked_in_linear_time() {
    let mut text = String::from("[scenario]\nname = \"many\"\nmodel = \"march1991\"\nticks = 5\n");
    for i in 0..100_000 {
        text += &format!("[[option]]\nname = \"o{i}\"\n");
    }
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "many.toml", &text);
    let started = std::time::Instant::now();
    orgsim().arg("validate").arg(&file).assert().success();
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
    // A duplicate among them is still found, at its line.
    text += "[[option]]\nname = \"o5\"\n";
    let file = write(&dir, "many.toml", &text);
    let out = orgsim().arg("validate").arg(&file).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("many.toml:200006:") && err.contains("\"o5\""),
        "{err}"
    );
}

#[test]
fn overwrite_refuses_the_current_directory_and_a_folder_holding_the_scenario() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out = orgsim()
        .current_dir(dir.path())
        .args(["run", "small.toml", "--out", ".", "--overwrite", "-q"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("current directory"), "{err}");
    assert!(file.exists());

    // An orgsim output that now also holds the scenario file: replacing it would delete the input.
    let out_dir = dir.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("-q")
        .assert()
        .success();
    let inside = write(&dir, "out/again.toml", SMALL);
    let out = orgsim()
        .arg("run")
        .arg(&inside)
        .arg("--out")
        .arg(&out_dir)
        .args(["--overwrite", "-q"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("again.toml") && err.contains("--out"), "{err}");
    assert!(inside.exists() && out_dir.join("runs.csv").exists());
}

/// Runs SMALL into `out` with run `fault` made to panic; returns the output and the directory.
fn run_with_fault(dir: &TempDir, out: &str, fault: u64) -> (std::process::Output, PathBuf) {
    let file = write(dir, "small.toml", SMALL);
    let out_dir = dir.path().join(out);
    let output = orgsim()
        .env("ORGSIM_FAULT_RUN", fault.to_string())
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .args(["-q", "--no-plots", "--threads", "2"])
        .output()
        .unwrap();
    (output, out_dir)
}

#[test]
fn a_run_that_panics_is_recorded_and_the_sweep_goes_on() {
    let dir = TempDir::new().unwrap();
    let (output, failed) = run_with_fault(&dir, "failed", 4);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 of 6 runs failed"), "{stderr}");
    assert!(stderr.contains("run 4 (point 1, replicate 1"), "{stderr}");
    assert!(stderr.contains("--only 4"), "{stderr}");
    assert!(
        !stderr.contains("panicked at"),
        "the panic hook stays quiet: {stderr}"
    );

    let failures = fs::read_to_string(failed.join("failures.csv")).unwrap();
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines[0], "run_id,point_id,replicate,seed,message");
    assert_eq!(lines.len(), 2, "{failures}");
    assert!(lines[1].starts_with("4,1,1,"), "{failures}");
    assert!(lines[1].contains("fault injected"), "{failures}");

    let manifest = fs::read_to_string(failed.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"failed_runs\": 1"), "{manifest}");
    assert!(manifest.contains("\"failures.csv\""), "{manifest}");

    // Every other run's rows are those of a clean run; the failed run has none.
    let clean = crate::determinism::run_with(&dir, SMALL, "clean", &[]);
    assert!(!clean.join("failures.csv").exists());
    let clean_manifest = fs::read_to_string(clean.join("manifest.json")).unwrap();
    assert!(!clean_manifest.contains("failed_runs"));
    let read = |d: &Path, f: &str| fs::read_to_string(d.join(f)).unwrap();
    let runs: Vec<String> = read(&clean, "runs.csv")
        .lines()
        .filter(|l| !l.starts_with("4,"))
        .map(String::from)
        .collect();
    assert_eq!(read(&failed, "runs.csv").lines().collect::<Vec<_>>(), runs);
    let series: Vec<String> = read(&clean, "timeseries.csv")
        .lines()
        .filter(|l| !l.starts_with("1,1,"))
        .map(String::from)
        .collect();
    assert_eq!(
        read(&failed, "timeseries.csv").lines().collect::<Vec<_>>(),
        series
    );
    // The failed run is left out of the summary: point 1 has 2 runs (a metric the model does not
    // define here has none).
    let summary = read(&failed, "summary.csv");
    assert!(
        summary
            .lines()
            .filter(|l| l.starts_with("1,"))
            .all(|l| matches!(l.split(',').nth(3), Some("2" | "0"))),
        "{summary}"
    );
}

#[test]
fn only_reproduces_one_run_of_the_sweep_exactly() {
    let dir = TempDir::new().unwrap();
    let whole = crate::determinism::run_with(&dir, SMALL, "whole", &[]);
    let one = crate::determinism::run_with(&dir, SMALL, "one", &["--only", "4"]);
    let whole_runs = fs::read_to_string(whole.join("runs.csv")).unwrap();
    let one_runs = fs::read_to_string(one.join("runs.csv")).unwrap();
    let header = whole_runs.lines().next().unwrap();
    let row = whole_runs.lines().find(|l| l.starts_with("4,")).unwrap();
    assert_eq!(one_runs, format!("{header}\n{row}\n"));
    let series = |text: String| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("1,1,"))
            .map(String::from)
            .collect()
    };
    assert_eq!(
        series(fs::read_to_string(one.join("timeseries.csv")).unwrap()),
        series(fs::read_to_string(whole.join("timeseries.csv")).unwrap())
    );
    let manifest = fs::read_to_string(one.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"only_run\": 4"), "{manifest}");

    // A run id beyond the sweep is bad input.
    let file = write(&dir, "again.toml", SMALL);
    orgsim()
        .arg("run")
        .arg(&file)
        .args(["--only", "6", "-q", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("run ids are 0 to 5"));
    assert!(!dir.path().join("none").exists());
}

/// Ctrl-C or TERM inside one long run is honoured within a tick, not when the run ends: a single run
/// of 10^9 ticks stops within a couple of seconds of the signal and says it was interrupted.
#[test]
fn a_signal_stops_a_long_single_run() {
    for signal in ["-INT", "-TERM"] {
        let dir = TempDir::new().unwrap();
        let long = SMALL
            .replace("replications = 3", "replications = 1")
            .replace("ticks = 30", "ticks = 1000000000")
            .replace("record_every = 10", "record_every = 0")
            .replace("[sweep]\nsocialisation = [0.1, 0.9]\n", "");
        let (mut child, out_dir, staging) = start_writing(&dir, &long);
        // Well inside the run (10^9 ticks take minutes).
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        let sent = std::time::Instant::now();
        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // Polled, so that a run ignoring the signal fails the test instead of hanging it.
        while child.try_wait().unwrap().is_none() {
            if sent.elapsed() > std::time::Duration::from_secs(3) {
                child.kill().unwrap();
                panic!("{signal} was not honoured within 3 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("interrupted"),
            "{}",
            stderr_of(&out)
        );
        assert!(!out_dir.exists());
        assert!(staging.join("ledger").exists(), "kept for --resume");
    }
}

/// Starts `orgsim run` of `text` (as `dir/long.toml`, into `dir/out`) in the background and waits
/// until it has begun writing its staging directory (returned with the output directory), so a
/// signal sent next lands mid-run.
fn start_writing(
    dir: &TempDir,
    text: &str,
) -> (std::process::Child, std::path::PathBuf, std::path::PathBuf) {
    let file = write(dir, "long.toml", text);
    let out_dir = dir.path().join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_orgsim"))
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staging = dir.path().join(".out.partial");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !staging.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (child, out_dir, staging)
}

/// A `[design]` scenario of the Ishigami test function, for the tests of bad design input: the
/// design's table starts at line 6, its space at line 11 (x1 at line 12).
const DESIGN: &str = "[scenario]
name = \"d\"
model = \"ishigami\"
record_every = 0

[design]
method = \"lhs\"
n = 20
seed = 1

[design.space]
x1 = { from = -1, to = 1 }
";

#[test]
fn design_input_is_validated_with_file_and_line() {
    let with = |before: &str, after: &str| DESIGN.replace(before, after);
    expect_bad_scenario(
        &with("method = \"lhs\"", "method = \"lsh\""),
        &[
            "bad.toml:7:",
            "unknown design method",
            "did you mean \"lhs\"?",
        ],
    );
    expect_bad_scenario(
        &with("x1 = {", "x4 = {"),
        &["bad.toml:12:", "unknown parameter `x4`", "did you mean"],
    );
    expect_bad_scenario(
        &with("from = -1, to = 1", "from = -1, to = 9"),
        &["bad.toml:12:", "`x1`", "domain", "out of range"],
    );
    expect_bad_scenario(
        &with("from = -1, to = 1", "from = 1, to = -1"),
        &["bad.toml:12:", "must be below"],
    );
    expect_bad_scenario(
        &with("from = -1, to = 1", "from = -1, to = 1, scale = \"log\""),
        &["bad.toml:12:", "log scale needs `from` above 0"],
    );
    expect_bad_scenario(
        &with(
            "from = -1, to = 1",
            "from = -1, to = 1, distribution = \"truncnorm\"",
        ),
        &["bad.toml:12:", "did you mean \"truncnormal\"?"],
    );
    expect_bad_scenario(
        &with(
            "from = -1, to = 1",
            "from = -1, to = 1, distribution = \"triangular\"",
        ),
        &["bad.toml:12:", "needs `mode`"],
    );
    expect_bad_scenario(
        &with("n = 20", "n = 20\ntrajectories = 4"),
        &["bad.toml:9:", "`trajectories` belongs to Morris"],
    );
    expect_bad_scenario(
        &with(
            "method = \"lhs\"\nn = 20",
            "method = \"morris\"\ntrajectories = 4\nlevels = 5",
        ),
        &["bad.toml:9:", "must be even"],
    );
    expect_bad_scenario(
        &with("seed = 1", "seed = 1\nmethode = 2"),
        &[
            "bad.toml:10:",
            "unknown key `methode`",
            "did you mean \"method\"?",
        ],
    );
    expect_bad_scenario(
        &with(
            "record_every = 0\n",
            "record_every = 0\n[params]\nx1 = 0.5\n",
        ),
        &["bad.toml:14:", "set in [params] (line 6)", "[design.space]"],
    );
    expect_bad_scenario(
        &format!("{DESIGN}\n[[option]]\nname = \"o\"\nset = {{ x1 = 0.5 }}\n"),
        &[
            "bad.toml:16:",
            "set by option \"o\"",
            "[design.space] (line 12)",
        ],
    );
    expect_bad_scenario(
        &format!("{DESIGN}\n[sweep]\nx2 = [0.1, 0.2]\n"),
        &["bad.toml:15:", "a [sweep] or a [design], not both"],
    );
    expect_bad_run(
        DESIGN,
        &["--set", "x1=0.5"],
        &["--set x1=0.5", "[design.space]"],
    );
}

#[test]
fn a_design_run_writes_its_sensitivity_and_salib_problem_and_no_ranking_of_points() {
    let dir = TempDir::new().unwrap();
    let text = DESIGN.replace(
        "method = \"lhs\"\nn = 20",
        "method = \"morris\"\ntrajectories = 10",
    ) + "x2 = { from = -1, to = 1 }\nx3 = [-1, 0, 1]\n";
    let file = write(&dir, "design.toml", &text);
    let out = dir.path().join("out");
    let run = orgsim()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(stdout.contains("mu_star"), "{stdout}");
    for f in [
        "sensitivity.csv",
        "salib_problem.json",
        "points.csv",
        "summary.csv",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(!out.join("comparison.csv").exists());
    assert!(out.join("plots/morris_y.svg").is_file());
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"sensitivity.csv") && !files.contains(&"comparison.csv"),
        "{files:?}"
    );
    let problem: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("salib_problem.json")).unwrap()).unwrap();
    assert_eq!(problem["names"], serde_json::json!(["x1", "x2", "x3"]));
    assert_eq!(problem["num_vars"], 3);
    // 10 trajectories of 4 rows.
    let points = fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 10 * 4);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Sensitivity") && !html.contains("Ranked comparison"));
    // `orgsim sensitivity` on the saved directory alone gives the same file.
    let before = fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    fs::remove_file(out.join("sensitivity.csv")).unwrap();
    orgsim().arg("sensitivity").arg(&out).assert().success();
    assert_eq!(
        fs::read_to_string(out.join("sensitivity.csv")).unwrap(),
        before
    );
    // A sweep is not a design.
    let sweep = write(&dir, "small.toml", SMALL);
    let small = dir.path().join("small");
    run_quietly(&sweep, &small);
    let refused = orgsim().arg("sensitivity").arg(&small).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr_of(&refused).contains("not a design run"));
}

#[test]
fn design_points_share_streams_only_with_common_random_numbers() {
    let seeds = |crn: bool| {
        let dir = TempDir::new().unwrap();
        let text = DESIGN.replace(
            "seed = 1",
            &format!("seed = 1\ncommon_random_numbers = {crn}"),
        );
        let file = write(
            &dir,
            "d.toml",
            &format!("{text}\n[params]\nnoise = 1\n")
                .replace("[scenario]\n", "[scenario]\nreplications = 2\n"),
        );
        let out = dir.path().join("out");
        run_quietly(&file, &out);
        let mut reader = csv::Reader::from_path(out.join("runs.csv")).unwrap();
        let mut by_replicate: Vec<std::collections::BTreeSet<String>> = vec![Default::default(); 2];
        for r in reader.records() {
            let r = r.unwrap();
            by_replicate[r[2].parse::<usize>().unwrap()].insert(r[3].to_string());
        }
        by_replicate.iter().map(|s| s.len()).collect::<Vec<_>>()
    };
    assert_eq!(seeds(true), vec![1, 1]);
    assert_eq!(seeds(false), vec![20, 20]);
}

#[test]
fn a_sharded_and_merged_design_gives_the_same_sensitivity_as_one_run() {
    let dir = TempDir::new().unwrap();
    let text = DESIGN.replace("method = \"lhs\"\nn = 20", "method = \"sobol\"\nn = 16")
        + "x2 = { from = -1, to = 1 }\n";
    let file = write(&dir, "design.toml", &text);
    let whole = dir.path().join("whole");
    run_quietly(&file, &whole);
    for k in ["1/2", "2/2"] {
        orgsim()
            .args(["run", "--quiet", "--shard", k, "--out"])
            .arg(dir.path().join(k.replace('/', "-of-")))
            .arg(&file)
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    orgsim()
        .args(["merge", "--no-plots", "--out"])
        .arg(&merged)
        .arg(dir.path().join("1-of-2"))
        .arg(dir.path().join("2-of-2"))
        .assert()
        .success();
    for f in [
        "sensitivity.csv",
        "salib_problem.json",
        "runs.csv",
        "points.csv",
    ] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }
}

// ---- Integrity of saved outputs (issue 12, defect 2) ----

/// A copy of the finished output `from` at `to`, with `damage` applied to it.
fn damaged_copy(from: &Path, to: &Path, damage: impl FnOnce(&Path)) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    damage(to);
}

/// Rewrites the lines of `file` in `dir` with `edit`.
fn edit_lines(dir: &Path, file: &str, edit: impl FnOnce(&mut Vec<String>)) {
    let path = dir.join(file);
    let mut lines: Vec<String> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    edit(&mut lines);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// `orgsim ARGS...` must exit 2 naming every one of `needles`.
fn expect_refused<S: AsRef<OsStr>>(args: &[S], needles: &[&str]) {
    let out = orgsim().args(args).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn damaged_or_incomplete_outputs_are_refused_naming_the_file_and_line() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let whole = dir.path().join("whole");
    run_quietly(&file, &whole);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(whole.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["checksums"]["runs.csv"]["rows"], 6);
    assert!(manifest["build_id"].as_str().unwrap().starts_with("0."));
    for shard in ["1/2", "2/2"] {
        orgsim()
            .args(["run", "--quiet", "--no-plots", "--shard", shard, "--out"])
            .arg(dir.path().join(format!("shard{}", &shard[..1])))
            .arg(&file)
            .assert()
            .success();
    }
    let (s1, s2) = (dir.path().join("shard1"), dir.path().join("shard2"));
    let merged = dir.path().join("merged");
    let merge = |a: &Path, b: &Path| -> Vec<std::ffi::OsString> {
        vec![
            "merge".into(),
            a.into(),
            b.into(),
            "--no-plots".into(),
            "--out".into(),
            merged.clone().into(),
        ]
    };

    // A shard's runs.csv missing its last row.
    let cut = dir.path().join("cut");
    damaged_copy(&s2, &cut, |d| {
        edit_lines(d, "runs.csv", |l| {
            l.pop();
        })
    });
    expect_refused(
        &merge(&s1, &cut),
        &[
            "cut/runs.csv",
            "has 2 of the 3 rows",
            "run_id 5 is missing",
            "truncated",
        ],
    );
    assert!(!merged.exists());

    // A header-only shard.
    let empty = dir.path().join("empty");
    damaged_copy(&s2, &empty, |d| {
        edit_lines(d, "runs.csv", |l| l.truncate(1))
    });
    expect_refused(&merge(&s1, &empty), &["empty/runs.csv", "only its header"]);

    // A duplicated row in a whole run.
    let twice = dir.path().join("twice");
    damaged_copy(&whole, &twice, |d| {
        edit_lines(d, "runs.csv", |l| {
            let row = l[3].clone();
            l.insert(3, row);
        })
    });
    expect_refused(
        &[OsStr::new("compare"), twice.as_os_str()],
        &[
            "twice/runs.csv",
            "line 5 repeats run_id 2 of line 4",
            "duplicated row",
        ],
    );

    // A truncated timeseries.csv, cut at a line end.
    let short_series = dir.path().join("short_series");
    damaged_copy(&whole, &short_series, |d| {
        edit_lines(d, "timeseries.csv", |l| {
            l.pop();
        })
    });
    expect_refused(
        &[OsStr::new("plot"), short_series.as_os_str()],
        &[
            "short_series/timeseries.csv",
            "stop at tick 20",
            "before its last tick 30",
        ],
    );

    // A saved runs.csv short of rows (the last run gone): report refuses.
    let short_runs = dir.path().join("short_runs");
    damaged_copy(&whole, &short_runs, |d| {
        edit_lines(d, "runs.csv", |l| {
            l.pop();
        })
    });
    expect_refused(
        &[OsStr::new("report"), short_runs.as_os_str()],
        &["short_runs/runs.csv", "5 of the 6 rows"],
    );

    // One number changed: the rows are whole, the checksum is not.
    let edited = dir.path().join("edited");
    damaged_copy(&whole, &edited, |d| {
        edit_lines(d, "runs.csv", |l| {
            let last = l.last_mut().unwrap();
            let cut_at = last.rfind(',').unwrap();
            last.truncate(cut_at);
            last.push_str(",0.5");
        })
    });
    expect_refused(
        &[OsStr::new("compare"), edited.as_os_str()],
        &["edited/runs.csv", "does not match the checksum"],
    );
    // summary.csv is checked too, although compare does not read it.
    let summary = dir.path().join("summary");
    damaged_copy(&whole, &summary, |d| {
        edit_lines(d, "summary.csv", |l| {
            l.pop();
        })
    });
    expect_refused(
        &[OsStr::new("compare"), summary.as_os_str()],
        &[
            "summary/summary.csv",
            "has 13 rows, but manifest.json records 14",
        ],
    );

    // A manifest from before checksums: the rows are still checked, with a note.
    let old = dir.path().join("old");
    damaged_copy(&whole, &old, |d| {
        let path = d.join("manifest.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        m.as_object_mut().unwrap().remove("checksums");
        fs::write(&path, m.to_string()).unwrap();
    });
    let out = orgsim().arg("compare").arg(&old).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("records no checksums"));
    edit_lines(&old, "runs.csv", |l| {
        l.pop();
    });
    expect_refused(
        &[OsStr::new("compare"), old.as_os_str()],
        &["5 of the 6 rows"],
    );

    // The intact shards still merge, and the merged directory carries checksums of its own.
    orgsim().args(merge(&s1, &s2)).assert().success();
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["checksums"]["runs.csv"],
        manifest["checksums"]["runs.csv"]
    );
    orgsim().arg("compare").arg(&merged).assert().success();
}

// ---- Names and text cells (issue 12, defect 6) ----

#[test]
fn names_a_file_system_or_a_spreadsheet_would_misread_are_refused_at_their_line() {
    let with_option = |name: &str| {
        format!(
            "{}\n[[option]]\nname = \"{name}\"\nset = {{ socialisation = 0.2 }}\n[[option]]\nname = \"other\"\n",
            SMALL.replace("[sweep]\nsocialisation = [0.1, 0.9]\n", "")
        )
    };
    // Formula starts: refused with the line and a usable alternative.
    expect_bad_scenario(
        &with_option("+10% analysts"),
        &[
            "bad.toml:16",
            "begins with `+`",
            "formula",
            "\"plus 10% analysts\"",
        ],
    );
    expect_bad_scenario(
        &with_option("-5 budget"),
        &["begins with `-`", "\"minus 5 budget\""],
    );
    expect_bad_scenario(&with_option("=HYPERLINK(1)"), &["begins with `=`"]);
    expect_bad_scenario(&with_option("@SUM(A1)"), &["begins with `@`"]);
    // Control characters: named by code point, never echoed raw.
    for (escaped, code) in [
        ("\\u001b[31mred", "U+001B"),
        ("two\\nlines", "U+000A"),
        ("a\\tb", "U+0009"),
    ] {
        let text = with_option(escaped);
        expect_bad_scenario(&text, &["bad.toml:16", code, "not control characters"]);
        let dir = TempDir::new().unwrap();
        let file = write(&dir, "bad.toml", &text);
        let err = stderr_of(&orgsim().arg("validate").arg(&file).output().unwrap());
        assert!(!err.contains('\u{1b}'), "ESC echoed raw: {err:?}");
    }
    expect_bad_scenario(
        &SMALL.replace(
            "description = \"a small sweep\"",
            "description = \"a \\u001b[2J sweep\"",
        ),
        &["bad.toml:4", "U+001B", "description"],
    );
    // Too long for the file system once the staging prefix and shard suffix are added.
    let long = "x".repeat(240);
    expect_bad_scenario(
        &SMALL.replace("name = \"small\"", &format!("name = \"{long}\"")),
        &["bad.toml:3", "240 characters", "at most 100"],
    );
    expect_bad_scenario(&with_option(&"y".repeat(300)), &["at most 200"]);
    // A negative number is still a number in every CSV; only text cells are constrained.
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "ok.toml", &with_option("plus 10% analysts"));
    run_quietly(&file, &dir.path().join("out"));
}

// ---- Dry run and bad destinations (issue 12) ----

#[test]
fn dry_run_prints_the_size_and_a_piloted_estimate_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    let out = orgsim()
        .current_dir(dir.path())
        .args(["run", "small.toml", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for needle in [
        "points:  2\n",
        "runs:    6 (2 points × 3 replicates)",
        "at most 30 per run, 180 in all",
        "output:  about ",
        "pilot:   3 runs of point 0 took",
        "estimated wall time: ",
        "outputs would go to: outputs/small",
    ] {
        assert!(text.contains(needle), "expected {needle:?} in: {text}");
    }
    // Only the scenario file: no outputs/, no staging directory.
    let entries: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    // A shard's part is counted as such.
    let out = orgsim()
        .arg("run")
        .arg(&file)
        .args(["--dry-run", "--shard", "2/2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("this command runs 3 of them (run ids 3 to 5)"),
        "{text}"
    );
    // Above a limit: exit 2 naming the flag that raises it, before any pilot.
    expect_bad_run(
        SMALL,
        &["--dry-run", "--replications", "10000000"],
        &["--allow-large"],
    );
}

#[test]
fn bad_out_values_are_refused_before_any_run() {
    let dir = TempDir::new().unwrap();
    write(&dir, "small.toml", SMALL);
    let notes = write(&dir, "notes.txt", "mine");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling")).unwrap();
    for (out, needle) in [
        (".", "names the current directory"),
        ("dangling", "dangling symbolic link"),
        ("notes.txt/out", "notes.txt is a file"),
    ] {
        for extra in [&[][..], &["--overwrite"][..]] {
            let started = std::time::Instant::now();
            let result = orgsim()
                .current_dir(dir.path())
                .args(["run", "small.toml", "--quiet", "--out", out])
                .args(extra)
                .output()
                .unwrap();
            let err = stderr_of(&result);
            assert_eq!(result.status.code(), Some(2), "{out}: {err}");
            assert!(err.contains(needle), "{out}: expected {needle:?} in {err}");
            assert!(started.elapsed().as_secs() < 5);
        }
    }
    assert_eq!(fs::read_to_string(&notes).unwrap(), "mine");
    let mut left: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["dangling", "notes.txt", "small.toml"]);
}

#[test]
fn two_runs_started_together_into_one_out_never_both_succeed() {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "small.toml", SMALL);
    for trial in 0..4 {
        let out = dir.path().join(format!("out{trial}"));
        let start = || {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("orgsim"))
                .args(["run", "--quiet", "--no-plots", "--out"])
                .arg(&out)
                .arg(&file)
                .stderr(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start(), start());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        let succeeded = codes.iter().filter(|c| **c == Some(0)).count();
        assert_eq!(succeeded, 1, "exactly one run wins: {codes:?}");
        let loser = if a.status.success() { &b } else { &a };
        assert_eq!(loser.status.code(), Some(2), "{}", stderr_of(loser));
        // The winner's outputs are whole.
        orgsim().arg("compare").arg(&out).assert().success();
    }
}
