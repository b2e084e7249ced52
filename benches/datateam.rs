//! Speed of the `datateam` model (a benchmark, not a test): one baseline run (24 analysts, 8 units,
//! 260 weeks, counterfactual included), the time per analyst-week, and a sweep's throughput on 1 vs 2
//! threads. Run with `cargo bench --bench datateam`; `DATATEAM_BENCH_RUNS=20` shortens it (e.g. to count
//! instructions under `valgrind --tool=callgrind`).
//!
//! The best batch estimates what the code costs; the median batch is what a busy shared machine gives.
//! Compare builds in one sitting, alternating the two binaries; docs/datateam-odd.md §6 keeps the
//! latest ratios against 1b72b31 (instructions under callgrind, and best batches of wall time).

use std::time::Instant;

use orgsim::engine::executor::{Plan, Point, run_one};
use orgsim::engine::params::Params;
use orgsim::models::find;
use rayon::prelude::*;

fn main() {
    let model = find("datateam").expect("datateam is registered");
    let params = Params::defaults(model.params());
    let points = vec![Point {
        id: 0,
        option: None,
        params,
        schedule: Vec::new(),
        stream: None,
    }];
    let plan = Plan {
        model,
        points: &points,
        replications: 1,
        master_seed: 1,
        ticks: 260,
        stop: None,
        record_every: 0,
        per_unit: false,
    };
    // DATATEAM_BENCH_RUNS shortens the bench, e.g. to count instructions under callgrind.
    let runs: u64 = std::env::var("DATATEAM_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    // Warm up, then time single-threaded runs in batches: on a shared VM the speed of the machine
    // itself drifts by ±25% over seconds, so the best batch estimates the code's cost and the median
    // batch what a user sees on a busy machine.
    for r in 0..50.min(runs) {
        std::hint::black_box(run_one(&plan, &points[0], r));
    }
    let batches = 20u64.min(runs);
    let per_batch = runs / batches;
    let mut batch_ms: Vec<f64> = (0..batches)
        .map(|b| {
            let start = Instant::now();
            for r in b * per_batch..(b + 1) * per_batch {
                std::hint::black_box(run_one(&plan, &points[0], r));
            }
            start.elapsed().as_secs_f64() * 1e3 / per_batch as f64
        })
        .collect();
    batch_ms.sort_by(f64::total_cmp);
    let (best, median) = (batch_ms[0], batch_ms[batch_ms.len() / 2]);
    println!(
        "baseline run: best batch {best:.3} ms, median batch {median:.3} ms ({batches} batches of {per_batch} runs, one thread)"
    );
    println!(
        "per analyst-week: best {:.1} ns, median {:.1} ns (24 analysts x 260 weeks, both arms)",
        best / (24.0 * 260.0) * 1e6,
        median / (24.0 * 260.0) * 1e6
    );
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let start = Instant::now();
        pool.install(|| {
            (0..runs).into_par_iter().for_each(|r| {
                std::hint::black_box(run_one(&plan, &points[0], r));
            })
        });
        let rate = runs as f64 / start.elapsed().as_secs_f64();
        println!("sweep on {threads} thread(s): {rate:.0} runs/s");
    }
}
