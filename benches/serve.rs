//! Latency of a live answer of `orgsim serve` (a benchmark, not a test): the page's default of 200
//! paired replicates × 2 options of the data-team model, answered by `serve::live::answer` exactly as
//! the server does (runs on all cores, files written to a scratch directory and read back, the
//! comparison, the change measures and three SVG figures). Target: ≤ 1 s on the 2-core machine.
//! Run with `cargo bench --bench serve`; `SERVE_BENCH_ROUNDS=3` shortens it.
//!
//! Two cases: two options that differ in their levers, and a change programme at week 52 (which
//! adds the J-curve's bootstrap). The best round estimates what the code costs; the median is what a
//! busy shared machine gives. The CPU time per answer (all threads, from /proc/self/stat) does not
//! depend on what else the machine runs: on an idle machine the runs' share of it is divided
//! among the cores, the rest (analysis, figures) is serial.

use std::sync::atomic::AtomicBool;

use orgsim::models::find;
use orgsim::serve::live::{Progress, answer};
use orgsim::serve::whatif::{ChangeIn, WhatIf};
use serde_json::json;

fn main() {
    let rounds: usize = std::env::var("SERVE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let scratch = std::env::temp_dir().join(format!("orgsim-serve-bench-{}", std::process::id()));
    let model = find("datateam").expect("datateam is registered");

    let mut levers = WhatIf::defaults(model);
    levers.options[1]
        .set
        .insert("structure".into(), json!("embedded"));
    levers.options[1]
        .set
        .insert("incentive".into(), json!("impact"));
    let mut programme = WhatIf::defaults(model);
    programme.options[1].schedule.push(ChangeIn {
        at: 52,
        set: [("structure".to_string(), json!("embedded"))]
            .into_iter()
            .collect(),
    });

    println!(
        "orgsim serve: one live answer, {} replicates x {} options, {threads} threads, {rounds} rounds",
        levers.replicates,
        levers.options.len()
    );
    for (name, whatif) in [("two options", &levers), ("change programme", &programme)] {
        let cancel = AtomicBool::new(false);
        let progress = Progress::default();
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut parts = (0.0, 0.0, 0.0);
        for round in 0..rounds {
            let cpu_before = cpu_seconds();
            let a = answer(whatif, round as u64, &scratch, threads, &cancel, &progress)
                .unwrap_or_else(|_| panic!("the {name} answer"));
            cpu.push(cpu_seconds() - cpu_before);
            times.push(a.seconds);
            if a.seconds <= times.iter().cloned().fold(f64::INFINITY, f64::min) {
                parts = (a.seconds_runs, a.seconds_analysis, a.seconds_figures);
            }
        }
        times.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        println!(
            "  {name:17} best {:.3} s (runs {:.3}, analysis {:.3}, figures {:.3}), median {:.3} s, worst {:.3} s; CPU {:.2} s an answer (median)",
            times[0],
            parts.0,
            parts.1,
            parts.2,
            times[times.len() / 2],
            times[times.len() - 1],
            cpu[cpu.len() / 2]
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average at the end: {}", load.trim());
    }
}

/// CPU time of this process so far (user + system, every thread), in seconds; 0 where /proc is absent.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces, so split after its closing bracket):
    // utime and stime are the 12th and 13th, in clock ticks of 1/100 s (USER_HZ on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
