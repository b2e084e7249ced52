//! The Slurm path, end to end on a real (one-node) cluster: `scripts/slurm/submit.sh` runs a sweep as
//! a job array and merges it, and the result equals one `orgsim run`. Skipped, with a message, where no
//! cluster answers; `.ci/run` starts one and sets ORGSIM_REQUIRE_SLURM=1 so the test cannot skip there.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::cli::{orgsim, repo_file};
use crate::determinism::assert_same_tables;

fn cluster_answers() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| {
            // Busy (mixed, allocated) counts: the tests here share one node and run side by side.
            let states = String::from_utf8_lossy(&o.stdout).to_string();
            o.status.success()
                && ["idle", "mixed", "alloc"]
                    .iter()
                    .any(|s| states.contains(s))
        })
}

/// Whether the test may go on: a cluster answers, or (where none does and none is required) it is
/// skipped with a message.
fn cluster_or_skip() -> bool {
    if cluster_answers() {
        return true;
    }
    assert!(
        std::env::var_os("ORGSIM_REQUIRE_SLURM").is_none(),
        "ORGSIM_REQUIRE_SLURM is set but no Slurm cluster answers `sinfo`"
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED slurm test: no Slurm cluster answers `sinfo`. To run it: apt-get install -y \
         slurmctld slurmd slurm-client munge, then scripts/slurm/local-cluster.sh (as root), then \
         cargo test --release slurm\n"
    );
    false
}

/// The lines of a shard's resume ledger (`OUT/shards/.K.partial/ledger`), 0 while it has none.
/// Waits for `submit.sh --wait`, but never for ever: past `limit`, this sweep's jobs (told apart
/// by their working directory `cwd`) are cancelled and the test fails with what Slurm said.
fn wait_or_cancel(
    mut submit: std::process::Child,
    cwd: &Path,
    limit: Duration,
) -> std::process::Output {
    let started = Instant::now();
    while submit.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let jobs = Command::new("squeue")
                .args(["-h", "-o", "%A|%Z|%T|%r"])
                .output()
                .unwrap();
            let jobs = String::from_utf8_lossy(&jobs.stdout).to_string();
            for (id, rest) in jobs.lines().filter_map(|l| l.trim().split_once('|')) {
                let dir = rest.split('|').next().unwrap_or_default();
                if fs::canonicalize(dir).is_ok_and(|c| c == cwd) {
                    let _ = Command::new("scancel").arg(id).status();
                }
            }
            let _ = submit.kill();
            panic!(
                "the sweep did not finish in {limit:?}; its jobs were cancelled. squeue: {jobs}"
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    submit.wait_with_output().unwrap()
}

fn ledger_lines(out: &Path, k: u32) -> usize {
    fs::read_to_string(
        out.join("shards")
            .join(format!(".{k}.partial"))
            .join("ledger"),
    )
    .map_or(0, |t| t.lines().count())
}

#[test]
fn a_task_requeued_mid_run_resumes_its_shard_and_the_merge_is_unchanged() {
    if !cluster_or_skip() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let scenario = repo_file("scenarios/datateam/leadership-options.toml");
    // Long enough (several seconds a shard) to requeue a task while it runs.
    let flags = ["--replications", "1500", "--no-plots"];
    let out = dir.path().join("cluster");
    let submit = Command::new(repo_file("scripts/slurm/submit.sh"))
        .arg(&scenario)
        .arg(&out)
        .arg("2")
        .args(flags)
        .env("ORGSIM", env!("CARGO_BIN_EXE_orgsim"))
        .env("SBATCH_FLAGS", "--wait")
        // Keep the log of the first start when the task is requeued, to see it resume.
        .env("SBATCH_ARRAY_FLAGS", "--open-mode=append")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for task 1 to have checkpointed runs beyond its start, then requeue it mid-run.
    let started = Instant::now();
    while ledger_lines(&out, 1) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "task 1 never checkpointed; log: {}",
            fs::read_to_string(out.join("shard-1.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // This test's running task 1: other sweeps (the test beside this one) may share the cluster,
    // so the task is told apart by its working directory, which submit.sh sets to ours.
    let jobs = Command::new("squeue")
        .args(["-h", "-r", "-t", "R", "-n", "orgsim-shard", "-o", "%i|%Z"])
        .output()
        .unwrap();
    let jobs = String::from_utf8_lossy(&jobs.stdout).to_string();
    let ours = fs::canonicalize(dir.path()).unwrap();
    let task = jobs
        .lines()
        .filter_map(|l| l.trim().split_once('|'))
        .find(|(id, cwd)| id.ends_with("_1") && fs::canonicalize(cwd).is_ok_and(|c| c == ours))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("task 1 of this sweep is not running: {jobs}"));
    let requeue = Command::new("scontrol")
        .args(["requeue", &task])
        .output()
        .unwrap();
    assert!(
        requeue.status.success(),
        "scontrol requeue {task}: {}",
        String::from_utf8_lossy(&requeue.stderr)
    );
    let kept = ledger_lines(&out, 1);
    // Slurm holds a requeued job for a while before it may start again; a test need not wait
    // that long. But slurmd refuses ("Job credential revoked") a start whose credential is dated
    // in the same second as the revocation at the requeue, so the start is brought forward only
    // to a few seconds after it.
    std::thread::sleep(Duration::from_secs(3));
    for _ in 0..50 {
        let state = Command::new("squeue")
            .args(["-h", "-j", &task, "-o", "%T"])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&state.stdout).contains("PENDING") {
            let _ = Command::new("scontrol")
                .args(["update", &format!("JobId={task}"), "StartTime=now"])
                .output();
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let finished = wait_or_cancel(submit, &ours, Duration::from_secs(600));
    assert!(
        finished.status.success(),
        "submit.sh failed: {}",
        String::from_utf8_lossy(&finished.stderr)
    );
    if !out.join("merged").join("runs.csv").exists() {
        let log = fs::read_to_string(out.join("merge.log")).unwrap_or_default();
        panic!("no merged outputs; merge.log: {log}");
    }
    // The requeued task resumed from its ledger rather than starting again.
    assert!(kept >= 3, "the ledger was lost at the requeue");
    let log = fs::read_to_string(out.join("shard-1.log")).unwrap_or_default();
    assert!(
        log.contains("orgsim: resuming"),
        "task 1 did not resume; its log: {log}"
    );
    let whole = dir.path().join("whole");
    orgsim()
        .arg("run")
        .arg(&scenario)
        .args(flags)
        .arg("--out")
        .arg(&whole)
        .arg("-q")
        .assert()
        .success();
    assert_same_tables(
        &whole,
        &out.join("merged"),
        "one run and a requeued Slurm job array",
    );
}

#[test]
fn a_job_array_sweep_merges_into_the_same_outputs_as_one_run() {
    if !cluster_or_skip() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let scenario = repo_file("scenarios/march1991/fig3.toml");
    let out = dir.path().join("cluster");
    let status = Command::new(repo_file("scripts/slurm/submit.sh"))
        .arg(&scenario)
        .arg(&out)
        .arg("3")
        .env("ORGSIM", env!("CARGO_BIN_EXE_orgsim"))
        .env("SBATCH_FLAGS", "--wait")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let ours = fs::canonicalize(dir.path()).unwrap();
    let status = wait_or_cancel(status, &ours, Duration::from_secs(600));
    assert!(
        status.status.success(),
        "submit.sh failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let whole = dir.path().join("whole");
    orgsim()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&whole)
        .arg("-q")
        .assert()
        .success();
    if !out.join("merged").join("runs.csv").exists() {
        let log = fs::read_to_string(out.join("merge.log")).unwrap_or_default();
        panic!("no merged outputs; merge.log: {log}");
    }
    assert_same_tables(&whole, &out.join("merged"), "one run and a Slurm job array");
}
