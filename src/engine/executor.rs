//! The parallel executor: runs every (point, replicate) of a plan on a rayon pool and hands the
//! records, in run-id order, to a sink on another thread.
//!
//! Work is cut into chunks of consecutive run ids; each chunk runs in parallel and is collected in
//! order, then sent through a one-slot channel to the writer while the next chunk runs. At most three
//! chunks of records exist at once (one computing, one queued, one being written), so memory is bounded
//! by the chunk size, not by the number of runs. Each run is seeded from (master seed, replicate) alone,
//! so neither the chunking nor the thread count can change a result.
//!
//! A run that panics is caught ([`execute_isolated`]): it is reported as a [`RunFailure`] in its
//! place in run-id order and the other runs go on. The cancel flag is checked before each run and at
//! every tick inside one, so an interruption is honoured within one tick even in a very long run.

use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::params::Params;
use super::params::StopRule;
use super::{Clock, Model, RunSettings, ScheduledChange, Step, rng};

/// One point of a sweep: a full parameter set, an optional option name, and its schedule.
#[derive(Debug, Clone)]
pub struct Point {
    pub id: usize,
    pub option: Option<String>,
    pub params: Params,
    pub schedule: Vec<ScheduledChange>,
    /// `None` (sweeps, and designs on common random numbers): replicate r's seed is the same at
    /// every point. `Some(k)`: the point draws its own streams, keyed by `k` (a design row without
    /// common random numbers; the options of one row share `k`).
    pub stream: Option<u64>,
}

impl Point {
    /// The seed of this point's replicate `replicate` under `master`.
    pub fn seed(&self, master: u64, replicate: u64) -> u64 {
        match self.stream {
            None => rng::run_seed(master, replicate),
            Some(k) => rng::point_run_seed(master, k, replicate),
        }
    }
}

/// Everything needed to execute a sweep.
pub struct Plan<'a> {
    pub model: &'a dyn Model,
    pub points: &'a [Point],
    pub replications: u64,
    pub master_seed: u64,
    pub ticks: u64,
    pub stop: Option<StopRule>,
    /// Record every this many ticks (plus tick 0 and the last); 0 records final values only.
    pub record_every: u64,
    /// Also record the model's per-unit metrics for every unit, at the end and at recorded ticks.
    pub per_unit: bool,
}

impl Plan<'_> {
    pub fn total_runs(&self) -> u64 {
        self.points.len() as u64 * self.replications
    }

    /// How many runs to hold per chunk: enough to keep every thread busy, few enough that three
    /// chunks of recorded series (per-unit values included) stay within about 64 MiB.
    pub fn chunk_size(&self, threads: usize) -> usize {
        let recorded_ticks = self
            .ticks
            .checked_div(self.record_every)
            .map_or(0, |n| n + 2);
        let unit_values = if self.per_unit {
            let units = self
                .points
                .iter()
                .map(|p| self.model.unit_count(&p.params))
                .max()
                .unwrap_or(0);
            (units * self.model.unit_metrics().len()) as u64
        } else {
            0
        };
        let bytes_per_run =
            (self.model.metrics().len() as u64 + 1 + unit_values) * 8 * (recorded_ticks + 1) + 256;
        let by_memory = (64 << 20) / 3 / bytes_per_run;
        // At most 1024 runs a chunk, so that a long sweep reaches a resume checkpoint often.
        (by_memory as usize).clamp(threads * 4, 1024.max(threads * 4))
    }
}

/// The results of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub run_id: u64,
    pub point_id: usize,
    pub replicate: u64,
    pub seed: u64,
    /// Final value of each metric, in declaration order.
    pub finals: Vec<f64>,
    /// Recorded ticks, and for each, one value per metric (row-major).
    pub series_ticks: Vec<u64>,
    pub series: Vec<f64>,
    /// With per-unit recording: the final value of each per-unit metric of each unit, unit by unit
    /// (the layout of [`super::Simulation::observe_units`]); empty otherwise.
    pub unit_finals: Vec<f64>,
    /// With per-unit recording: for each of `series_ticks`, the layout of `unit_finals`; empty
    /// otherwise.
    pub unit_series: Vec<f64>,
}

/// A run that panicked: which run, and the panic's message (with its source location when known).
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    pub run_id: u64,
    pub point_id: usize,
    pub replicate: u64,
    pub seed: u64,
    pub message: String,
}

/// What became of one run: its record, or its failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    Done(RunRecord),
    Failed(RunFailure),
}

/// What the writer thread hands the sink: each run in run-id order, and after each chunk a mark
/// that every run before the next one has been delivered (a safe point for a resume checkpoint).
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    Run(Finished),
    ChunkEnd,
}

/// How a sweep may be stopped or perturbed from outside.
#[derive(Clone, Copy)]
pub struct Controls<'a> {
    /// Once set, no further run starts and runs in flight stop at their next tick.
    pub cancel: &'a AtomicBool,
    /// Test only: the run with this id panics at its first tick (see README, "Failed runs").
    pub fault_run: Option<u64>,
}

/// Runs one replicate of one point from scratch, recording its metrics (and, with `plan.per_unit`,
/// its per-unit metrics: those observations only read the run, so the metrics are the same).
pub fn run_one(plan: &Plan, point: &Point, replicate: u64) -> RunRecord {
    let never = AtomicBool::new(false);
    run_controlled(plan, point, replicate, false, &never).expect("a run that cannot be cancelled")
}

/// [`run_one`], returning `None` as soon as `cancel` is set (checked at every tick), and panicking
/// at the first tick when `fault` is set.
fn run_controlled(
    plan: &Plan,
    point: &Point,
    replicate: u64,
    fault: bool,
    cancel: &AtomicBool,
) -> Option<RunRecord> {
    let n_metrics = plan.model.metrics().len();
    let unit_values = if plan.per_unit {
        plan.model.unit_count(&point.params) * plan.model.unit_metrics().len()
    } else {
        0
    };
    let seed = point.seed(plan.master_seed, replicate);
    let settings = RunSettings {
        stop: plan.stop,
        schedule: &point.schedule,
    };
    let mut sim = plan.model.build(&point.params, seed, &settings);
    let mut series_ticks = Vec::new();
    let mut series = Vec::new();
    let mut unit_series = Vec::new();
    let recording_series = plan.record_every > 0;
    let mut row = vec![0.0; n_metrics];
    let mut unit_row = vec![0.0; unit_values];
    let mut record = |tick: u64, sim: &dyn super::Simulation| {
        sim.observe(&mut row);
        series_ticks.push(tick);
        series.extend_from_slice(&row);
        if plan.per_unit {
            sim.observe_units(&mut unit_row);
            unit_series.extend_from_slice(&unit_row);
        }
    };
    if recording_series {
        record(0, sim.as_ref());
    }
    if fault {
        panic!("fault injected at tick 0 (ORGSIM_FAULT_RUN)");
    }
    let mut clock = Clock::new(&point.params, &point.schedule);
    while clock.tick() < plan.ticks {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let step = clock.advance(sim.as_mut());
        let tick = clock.tick();
        let last = step == Step::Stop || tick == plan.ticks;
        if recording_series && (tick.is_multiple_of(plan.record_every) || last) {
            record(tick, sim.as_ref());
        }
        if step == Step::Stop {
            break;
        }
    }
    let mut finals = vec![0.0; n_metrics];
    sim.observe(&mut finals);
    let mut unit_finals = vec![0.0; unit_values];
    if plan.per_unit {
        sim.observe_units(&mut unit_finals);
    }
    Some(RunRecord {
        run_id: point.id as u64 * plan.replications + replicate,
        point_id: point.id,
        replicate,
        seed,
        finals,
        series_ticks,
        series,
        unit_finals,
        unit_series,
    })
}

thread_local! {
    /// Set while this thread runs a run whose panic is caught: the panic hook then stays silent.
    static IN_RUN: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic on this thread happened.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that keeps quiet about panics inside caught runs,
/// noting their location for the failure's message, and defers to the previous hook otherwise.
fn quiet_caught_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_RUN.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                PANIC_AT.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs one run with its panic caught; `None` when cancelled.
fn run_caught(plan: &Plan, run_id: u64, controls: Controls) -> Option<Finished> {
    let reps = plan.replications;
    run_caught_at(plan, (run_id / reps) as usize, run_id % reps, controls)
}

/// Replicate `replicate` of the point at index `point`, with its panic caught; `None` when
/// cancelled.
pub(crate) fn run_caught_at(
    plan: &Plan,
    point: usize,
    replicate: u64,
    controls: Controls,
) -> Option<Finished> {
    quiet_caught_panics();
    let point = &plan.points[point];
    let run_id = point.id as u64 * plan.replications + replicate;
    let fault = controls.fault_run == Some(run_id);
    IN_RUN.with(|f| f.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        run_controlled(plan, point, replicate, fault, controls.cancel)
    }));
    IN_RUN.with(|f| f.set(false));
    match result {
        Ok(record) => record.map(Finished::Done),
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-text payload".to_string());
            let message = match PANIC_AT.with(|p| p.borrow_mut().take()) {
                Some(at) => format!("{text} (at {at})"),
                None => text,
            };
            Some(Finished::Failed(RunFailure {
                run_id,
                point_id: point.id,
                replicate,
                seed: point.seed(plan.master_seed, replicate),
                message,
            }))
        }
    }
}

/// Runs the whole plan on `threads` threads. `on_done` is called once per finished run (for progress);
/// `sink` receives every record in run-id order on a writer thread. The first sink error stops the work.
pub fn execute<S>(plan: &Plan, threads: usize, on_done: &(dyn Fn() + Sync), sink: S) -> Result<()>
where
    S: FnMut(RunRecord) -> Result<()> + Send,
{
    let never = AtomicBool::new(false);
    execute_runs(plan, 0..plan.total_runs(), threads, on_done, &never, sink)
}

/// The run ids of shard `index` (1-based) of `count`: contiguous, as even as possible, together
/// covering `0..total` exactly once.
pub fn shard_runs(total: u64, index: u64, count: u64) -> Range<u64> {
    let bound = |k: u64| (total as u128 * k as u128 / count as u128) as u64;
    bound(index - 1)..bound(index)
}

/// Like [`execute`], for the run ids in `runs` only (one shard of a
/// sweep). Once `cancel` is set, no further run starts and an "interrupted" error is returned. A run
/// that panics stops the work with an error naming it (see [`execute_isolated`] to go on instead).
pub fn execute_runs<S>(
    plan: &Plan,
    runs: Range<u64>,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
    mut sink: S,
) -> Result<()>
where
    S: FnMut(RunRecord) -> Result<()> + Send,
{
    let controls = Controls {
        cancel,
        fault_run: None,
    };
    execute_isolated(
        plan,
        runs,
        threads,
        on_done,
        controls,
        |delivered| match delivered {
            Delivered::Run(Finished::Done(record)) => sink(record),
            Delivered::Run(Finished::Failed(f)) => {
                anyhow::bail!("run {} panicked: {}", f.run_id, f.message)
            }
            Delivered::ChunkEnd => Ok(()),
        },
    )
}

/// Runs the run ids in `runs`, each with its panic caught: `sink` receives every run's
/// [`Finished`], in run-id order, on a writer thread, and a [`Delivered::ChunkEnd`] after each chunk. Once `controls.cancel` is set, no further run
/// starts, runs in flight stop at their next tick, and an "interrupted" error is returned.
pub fn execute_isolated<S>(
    plan: &Plan,
    runs: Range<u64>,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
    controls: Controls,
    sink: S,
) -> Result<()>
where
    S: FnMut(Delivered) -> Result<()> + Send,
{
    execute_set(plan, &RunSet::Range(runs), threads, on_done, controls, sink)
}

/// The run ids to execute: a contiguous range, or a sorted list (an adaptive sweep's, whose
/// points have different numbers of replicates).
#[derive(Debug, Clone, PartialEq)]
pub enum RunSet {
    Range(Range<u64>),
    List(Vec<u64>),
}

impl RunSet {
    pub fn len(&self) -> u64 {
        match self {
            RunSet::Range(r) => r.end - r.start,
            RunSet::List(ids) => ids.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The run ids at positions `from..to`.
    fn ids(&self, from: u64, to: u64) -> Vec<u64> {
        match self {
            RunSet::Range(r) => (r.start + from..r.start + to).collect(),
            RunSet::List(ids) => ids[from as usize..to as usize].to_vec(),
        }
    }

    /// The same set without the run ids below `first` (what a resume has left to do).
    pub fn from_run(&self, first: u64) -> RunSet {
        match self {
            RunSet::Range(r) => RunSet::Range(first.max(r.start)..r.end),
            RunSet::List(ids) => {
                RunSet::List(ids.iter().copied().filter(|&id| id >= first).collect())
            }
        }
    }
}

/// [`execute_isolated`] over any [`RunSet`]: the runs are delivered in the set's order.
pub fn execute_set<S>(
    plan: &Plan,
    runs: &RunSet,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
    controls: Controls,
    mut sink: S,
) -> Result<()>
where
    S: FnMut(Delivered) -> Result<()> + Send,
{
    quiet_caught_panics();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("could not start the worker threads")?;
    let chunk = plan.chunk_size(threads) as u64;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<Finished>>(1);
        let writer = scope.spawn(move || -> Result<()> {
            for records in rx {
                for record in records {
                    sink(Delivered::Run(record))?;
                }
                sink(Delivered::ChunkEnd)?;
            }
            Ok(())
        });
        let mut start = 0;
        let mut cancelled = false;
        while start < runs.len() {
            let end = (start + chunk).min(runs.len());
            let ids = runs.ids(start, end);
            let records: Option<Vec<Finished>> = pool.install(|| {
                ids.into_par_iter()
                    .map(|run_id| {
                        if controls.cancel.load(Ordering::Relaxed) {
                            return None;
                        }
                        let finished = run_caught(plan, run_id, controls)?;
                        on_done();
                        Some(finished)
                    })
                    .collect()
            });
            let Some(records) = records else {
                cancelled = true;
                break;
            };
            if tx.send(records).is_err() {
                break; // the writer stopped on an error; it is reported below
            }
            start = end;
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        if cancelled {
            anyhow::bail!("interrupted");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    //! The executor's runs are tested with a mock model in tests/engine.rs.
    use super::*;

    #[test]
    fn shards_cover_every_run_once_in_order() {
        for (total, count) in [(10, 3), (7, 7), (5, 8), (1000, 6), (0, 2)] {
            let ranges: Vec<_> = (1..=count).map(|k| shard_runs(total, k, count)).collect();
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges.last().unwrap().end, total);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
            let sizes: Vec<u64> = ranges.iter().map(|r| r.end - r.start).collect();
            assert!(
                sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
                "{sizes:?}"
            );
        }
    }
}
