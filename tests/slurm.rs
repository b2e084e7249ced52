//! The Slurm path, end to end on a real (one-node) cluster: `scripts/slurm/submit.sh` runs a sweep as
//! a job array and merges it, and the result equals one `orgsim run`. Skipped, with a message, where no
//! cluster answers; `.ci/run` starts one and sets ORGSIM_REQUIRE_SLURM=1 so the test cannot skip there.

use std::fs;
use std::process::Command;

use tempfile::TempDir;

use crate::cli::{orgsim, repo_file};
use crate::determinism::assert_same_tables;

fn cluster_answers() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("idle"))
}

#[test]
fn a_job_array_sweep_merges_into_the_same_outputs_as_one_run() {
    if !cluster_answers() {
        assert!(
            std::env::var_os("ORGSIM_REQUIRE_SLURM").is_none(),
            "ORGSIM_REQUIRE_SLURM is set but no Slurm cluster answers `sinfo`"
        );
        // Written straight to stderr, not through eprintln!, which the test harness would swallow.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED slurm test: no Slurm cluster answers `sinfo`. To run it: apt-get install -y \
             slurmctld slurmd slurm-client munge, then scripts/slurm/local-cluster.sh (as root), then \
             cargo test --release slurm\n"
        );
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
        .output()
        .unwrap();
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
