//! One live answer: the scenario on screen run through the same code as `orgsim run` — the executor
//! on common seeds, the CSV writers into a scratch directory under the output root, the manifest —
//! then read back and compared by `analysis::compare` and drawn by `plot::figures`, as `orgsim
//! compare` and `orgsim plot` would. Going through the files costs a little time, and buys the
//! guarantee that `orgsim run` of the page's TOML gives the very numbers the page shows.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use serde::Serialize;

use super::whatif::WhatIf;
use crate::analysis::change;
use crate::analysis::compare;
use crate::analysis::saved::Saved;
use crate::engine::executor;
use crate::error::InputError;
use crate::output::{files, manifest};
use crate::plot::{self, Kind};

/// Metrics a leader weighs beside the headline ones, when the model reports them.
const COST_METRICS: &[&str] = &["cost", "value_per_cost"];
/// The figures' canvas on the page (one journal column; the page scales them to fit).
const FIGURE_WIDTH: u32 = 900;
const FIGURE_HEIGHT: u32 = 600;

/// Runs done of the answer being computed, for the page's progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    pub generation: AtomicU64,
    pub done: AtomicU64,
    pub total: AtomicU64,
}

/// Why no answer came.
#[derive(Debug)]
pub enum Failure {
    /// The request is not valid (HTTP 400 with the message).
    Bad(InputError),
    /// A newer request made this one stale.
    Superseded,
    /// Something broke while running (HTTP 500).
    Internal(anyhow::Error),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Bad(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<InputError>() {
            Ok(bad) => Failure::Bad(bad),
            Err(e) => Failure::Internal(e),
        }
    }
}

/// One row of the ranked comparison, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub metric: String,
    pub rank: usize,
    pub option: String,
    pub is_baseline: bool,
    pub baseline: String,
    pub n: u64,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n_pairs: u64,
    pub diff: f64,
    pub diff_low: f64,
    pub diff_high: f64,
    pub p_best: f64,
}

/// A figure as SVG text, drawn by the same code as `orgsim plot`.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    pub name: String,
    pub kind: &'static str,
    pub caption: String,
    pub svg: String,
}

/// A change programme's J-curve measures against the baseline (`analysis::change`).
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub option: String,
    pub metric: String,
    pub change_week: u64,
    pub dip_depth: f64,
    pub dip_low: f64,
    pub dip_high: f64,
    pub dip_week: Option<u64>,
    pub dip_significant: bool,
    pub weeks_to_recover: Option<u64>,
    pub breakeven_week: Option<u64>,
}

/// The live answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub generation: u64,
    pub runs: u64,
    /// Wall time of the whole answer, and of its parts: the runs (with writing their files), the
    /// comparison and change measures (with reading them back), and drawing the figures.
    pub seconds: f64,
    pub seconds_runs: f64,
    pub seconds_analysis: f64,
    pub seconds_figures: f64,
    /// The scenario TOML of what was run: `orgsim run` of it reproduces these numbers.
    pub toml: String,
    /// The metrics of `rows`, in order: the headline ones, then cost and value per cost.
    pub metrics: Vec<String>,
    pub rows: Vec<RowView>,
    pub changes: Vec<ChangeView>,
    pub figures: Vec<FigureView>,
}

/// Removes a scratch directory when dropped, whatever happened.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The metrics the comparison covers for `saved`'s model.
fn compared_metrics(saved: &Saved) -> Vec<String> {
    let m = &saved.manifest.metrics;
    let mut names: Vec<String> = m
        .iter()
        .filter(|x| x.headline)
        .map(|x| x.name.clone())
        .collect();
    if names.is_empty() {
        names = m.iter().map(|x| x.name.clone()).collect();
    }
    for extra in COST_METRICS {
        if m.iter().any(|x| x.name == *extra) && !names.iter().any(|n| n == extra) {
            names.push(extra.to_string());
        }
    }
    names
}

/// Runs the scenario on screen and analyses it. `cancel` stops the work (between runs and within a
/// run, at its next tick) when a newer request arrives; `dir` is the scratch directory the run's
/// files live in while they are read back (removed afterwards, whatever happens).
pub fn answer(
    whatif: &WhatIf,
    generation: u64,
    dir: &Path,
    threads: usize,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<Answer, Failure> {
    let clock = Instant::now();
    let scenario = whatif.scenario()?;
    let plan = scenario.plan();
    let total = plan.total_runs();
    progress.done.store(0, Ordering::Relaxed);
    progress.total.store(total, Ordering::Relaxed);
    progress.generation.store(generation, Ordering::Relaxed);

    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the scratch directory {}", dir.display()))?;
    let _scratch = Scratch(dir.to_path_buf());

    let started = SystemTime::now();
    let mut writers = files::RunWriters::create(dir, &scenario)?;
    let tick = || {
        progress.done.fetch_add(1, Ordering::Relaxed);
    };
    let controls = executor::Controls {
        cancel,
        fault_run: None,
    };
    let executed =
        executor::execute_isolated(&plan, 0..total, threads, &tick, controls, |d| match d {
            executor::Delivered::Run(executor::Finished::Done(record)) => writers.write(&record),
            executor::Delivered::Run(executor::Finished::Failed(f)) => anyhow::bail!(
                "run {} (option {}, replicate {}) panicked: {}",
                f.run_id,
                f.point_id,
                f.replicate,
                f.message
            ),
            executor::Delivered::ChunkEnd => Ok(()),
        });
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::Superseded);
    }
    executed?;
    writers.finish(dir, true)?;
    let mut produced = vec![files::MANIFEST, files::POINTS, files::RUNS, files::SUMMARY];
    if scenario.record_every > 0 {
        produced.push(files::TIMESERIES);
    }
    let facts = manifest::RunFacts {
        threads,
        started,
        finished: SystemTime::now(),
        wall_seconds: clock.elapsed().as_secs_f64(),
        command_line: vec!["orgsim".into(), "serve".into()],
        files: produced,
        shard: None,
        failed_runs: 0,
        only_run: None,
        adaptive: None,
    };
    // Checksummed like any run's outputs, so the analysis below reads them through the same
    // integrity checks as `orgsim compare` (and has nothing to warn about).
    let mut written = manifest::build(&scenario, &facts);
    written.checksums =
        crate::output::integrity::record(dir).context("cannot checksum the output files")?;
    let text = written.to_text().context("cannot write manifest.json")?;
    std::fs::write(dir.join(files::MANIFEST), text).context("cannot write manifest.json")?;

    let seconds_runs = clock.elapsed().as_secs_f64();
    let saved = Saved::load(dir, "serve")?;
    let metrics = compared_metrics(&saved);
    let comparison = compare::compare(&saved, &metrics, None)?;
    let rows = comparison
        .rows
        .iter()
        .map(|r| RowView {
            metric: r.metric.clone(),
            rank: r.rank,
            option: r.label.clone(),
            is_baseline: r.is_baseline,
            baseline: r.baseline.clone(),
            n: r.stats.n,
            mean: r.stats.mean,
            ci_low: r.stats.ci_low,
            ci_high: r.stats.ci_high,
            n_pairs: r.stats.n_pairs,
            diff: r.stats.diff,
            diff_low: r.stats.diff_low,
            diff_high: r.stats.diff_high,
            p_best: r.stats.p_best,
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::Superseded);
    }

    let changes = change::analyse(&saved)?
        .unwrap_or_default()
        .into_iter()
        .map(|c| ChangeView {
            option: c.option,
            metric: c.metric,
            change_week: c.measures.change_tick,
            dip_depth: c.measures.dip_depth,
            dip_low: c.measures.dip_lo,
            dip_high: c.measures.dip_hi,
            dip_week: c.measures.dip_week,
            dip_significant: c.measures.dip_significant,
            weeks_to_recover: c.measures.weeks_to_recover,
            breakeven_week: c.measures.breakeven_week,
        })
        .collect();

    let seconds_analysis = clock.elapsed().as_secs_f64() - seconds_runs;
    let focus = whatif.metric.clone().unwrap_or_else(|| metrics[0].clone());
    let focus_comparison = compare::compare(&saved, std::slice::from_ref(&focus), None)?;
    let mut figures = Vec::new();
    for figure in plot::figures(&saved, &focus_comparison, std::slice::from_ref(&focus))? {
        let kind = match figure.kind {
            Kind::Forest => "forest",
            Kind::TimeSeries => "timeseries",
            Kind::JCurve => "jcurve",
            Kind::ValueCost => "value_cost",
            _ => continue,
        };
        if cancel.load(Ordering::Relaxed) {
            return Err(Failure::Superseded);
        }
        figures.push(FigureView {
            svg: figure.svg(FIGURE_WIDTH, FIGURE_HEIGHT)?,
            name: figure.name,
            kind,
            caption: figure.caption,
        });
    }
    let seconds = clock.elapsed().as_secs_f64();
    Ok(Answer {
        generation,
        runs: total,
        seconds,
        seconds_runs,
        seconds_analysis,
        seconds_figures: seconds - seconds_runs - seconds_analysis,
        toml: scenario.text.clone(),
        metrics,
        rows,
        changes,
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models;

    fn small() -> WhatIf {
        let mut w = WhatIf::defaults(models::find("datateam").unwrap());
        w.replicates = 4;
        w.options[1]
            .set
            .insert("structure".into(), serde_json::json!("embedded"));
        w
    }

    #[test]
    fn every_option_is_ranked_on_the_headline_and_cost_metrics() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("scratch");
        let never = AtomicBool::new(false);
        let a = answer(&small(), 1, &dir, 2, &never, &Progress::default()).unwrap();
        assert!(a.metrics.iter().any(|m| m == "cost"));
        assert!(a.metrics.iter().any(|m| m == "value_per_cost"));
        assert_eq!(a.rows.len(), a.metrics.len() * 2);
        assert_eq!(a.runs, 8);
        assert!(a.changes.is_empty(), "no schedule, no J-curve");
        assert!(!dir.exists(), "the scratch directory is removed");
    }

    #[test]
    fn a_cancelled_answer_is_superseded_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("scratch");
        let cancelled = AtomicBool::new(true);
        let got = answer(&small(), 1, &dir, 2, &cancelled, &Progress::default());
        assert!(matches!(got, Err(Failure::Superseded)), "{got:?}");
        assert!(!dir.exists());
    }

    #[test]
    fn bad_input_is_refused_before_anything_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("scratch");
        let mut w = small();
        w.context
            .insert("politics".into(), serde_json::json!("high"));
        let never = AtomicBool::new(false);
        let got = answer(&w, 1, &dir, 2, &never, &Progress::default());
        match got {
            Err(Failure::Bad(e)) => {
                assert_eq!(e.place, "context.politics");
                assert!(e.message.contains("expected a number"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.exists());
    }
}
