//! The standard workload: March (1991) Figure 1 (27 points), end to end as `orgsim run` does it
//! (planning, seeding, running, writing every output file and the comparison; figures are not drawn), on 1 and 2 threads, against the NumPy peer
//! in `../shared/peers` when a Python with NumPy is available.
//!
//! `cargo bench --bench march1991 [-- REPS]` (REPS per point, default 200, the same as the peer's
//! usual argument). Set up the peer once with
//! `python3 -m venv .venv-peers && .venv-peers/bin/pip install numpy`, or point `ORGSIM_PEER_PYTHON`
//! at a Python that has NumPy. Each configuration runs three times; the best time is reported.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use orgsim::app;
use orgsim::cli::RunArgs;

fn orgsim_seconds(reps: u64, threads: u16) -> f64 {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("orgsim-bench-{}-{threads}", std::process::id()));
    let args = RunArgs {
        file: root.join("scenarios/march1991/fig1.toml"),
        out: Some(out.clone()),
        overwrite: true,
        threads: Some(threads),
        replications: Some(reps),
        seed: None,
        set: Vec::new(),
        shard: None,
        only: None,
        resume: false,
        dry_run: false,
        quiet: true,
        // Figures are a fixed cost per sweep, not per run; the peer draws none either.
        no_plots: true,
        per_unit: false,
        allow_large: false,
    };
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            app::run(&args, vec!["bench".into()]).expect("the benchmark scenario runs");
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let _ = std::fs::remove_dir_all(out);
    best
}

/// Runs the NumPy peer and returns its reported seconds, if a Python with NumPy is found.
fn numpy_seconds(reps: u64) -> Option<f64> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("ORGSIM_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join(".venv-peers/bin/python"));
    let script = root.join("../shared/peers/march91_numpy.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(reps.to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "numpy peer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("seconds="))
        .and_then(|s| s.parse().ok())
}

fn main() {
    let reps: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let runs = (27 * reps) as f64;
    println!("March (1991) Figure 1 grid: 27 points x {reps} replicates = {runs} runs, end to end");
    let one = orgsim_seconds(reps, 1);
    println!("orgsim, 1 thread : {one:8.3} s  {:10.0} runs/s", runs / one);
    let two = orgsim_seconds(reps, 2);
    println!(
        "orgsim, 2 threads: {two:8.3} s  {:10.0} runs/s  ({:.2}x one thread)",
        runs / two,
        one / two
    );
    match numpy_seconds(reps) {
        Some(peer) => println!(
            "NumPy peer       : {peer:8.3} s  {:10.0} runs/s  (orgsim 1 thread is {:.1}x faster)",
            runs / peer,
            peer / one
        ),
        None => println!(
            "NumPy peer skipped: no Python with NumPy (python3 -m venv .venv-peers && .venv-peers/bin/pip install numpy)"
        ),
    }
}
