//! One function per subcommand: load → plan → execute → write → analyse.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::compare;
use crate::analysis::saved::Saved;
use crate::cli::{CompareArgs, CompareFormat, ImageFormat, PlotArgs, ReportArgs, RunArgs};
use crate::engine::executor::{self, Plan};
use crate::engine::params::Domain;
use crate::models;
use crate::output::{OutputDir, files, manifest, write_atomic};
use crate::plot::{self, Formats, PlotOptions};
use crate::report;
use crate::scenario::{self, InputError, Overrides, suggest::did_you_mean};

/// `orgsim models`.
pub fn list_models() -> String {
    let width = models::names().iter().map(|n| n.len()).max().unwrap_or(0);
    models::all()
        .iter()
        .map(|m| format!("{:width$}  {}\n", m.name(), m.summary()))
        .collect()
}

/// `orgsim describe MODEL`.
pub fn describe(name: &str) -> Result<String, InputError> {
    let model = models::find(name).ok_or_else(|| {
        InputError::new(
            "describe",
            format!(
                "unknown model \"{name}\"; known models: {}{}",
                models::names().join(", "),
                did_you_mean(name, models::names())
            ),
        )
    })?;
    let mut out = format!("{} — {}\n", model.name(), model.summary());
    if !model.notes().is_empty() {
        out += &format!("\n{}\n", model.notes());
    }
    out += &format!(
        "\nDefault horizon: {} ticks.\n\nPARAMETERS\n",
        model.default_ticks()
    );
    for p in model.params() {
        let range = match p.domain {
            Domain::Real { min, max } => format!("[{min}, {max}]"),
            Domain::Int { min, max } => format!("{min}..={max} (whole)"),
            Domain::Choice(names) => names.join(" | "),
        };
        let scheduled = if p.schedulable {
            "; can be scheduled"
        } else {
            ""
        };
        out += &format!(
            "  {}\n      default {}; allowed {}; unit: {}{}\n      {}\n      source: {}\n",
            p.name,
            p.default_display(),
            range,
            if p.unit.is_empty() { "-" } else { p.unit },
            scheduled,
            p.meaning,
            p.source
        );
    }
    out += "\nMETRICS\n";
    for m in model.metrics() {
        out += &format!(
            "  {}{}\n      {}\n",
            m.name,
            if m.headline { " (headline)" } else { "" },
            m.meaning
        );
    }
    if !model.stop_rules().is_empty() {
        out += "\nSTOPPING RULES (scenario key `stop`)\n";
        for r in model.stop_rules() {
            out += &format!("  {}\n      {}\n", r.name, r.meaning);
        }
    }
    Ok(out)
}

/// `orgsim validate FILE...`: every file is checked; the first error's kind decides the exit code.
pub fn validate(files: &[PathBuf]) -> (String, Vec<InputError>) {
    let mut report = String::new();
    let mut errors = Vec::new();
    for file in files {
        match scenario::load(file, &Overrides::default()) {
            Ok(s) => {
                report += &format!(
                    "ok: {} ({} model {}, {} points × {} replicates = {} runs)\n",
                    file.display(),
                    s.name,
                    s.model.name(),
                    s.points.len(),
                    s.replications,
                    s.points.len() as u64 * s.replications
                );
            }
            Err(e) => errors.push(e),
        }
    }
    (report, errors)
}

/// What `run` produced, for the caller's summary line.
pub struct RunOutcome {
    pub runs: u64,
    pub wall_seconds: f64,
    pub dir: PathBuf,
    /// The ranked comparison of the options (or points), as a table.
    pub comparison: String,
}

/// `orgsim run`.
pub fn run(args: &RunArgs, command_line: Vec<String>) -> Result<RunOutcome> {
    let overrides = Overrides {
        replications: args.replications,
        seed: args.seed,
        set: args.set.clone(),
    };
    let scenario = scenario::load(&args.file, &overrides)?;
    let dest = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&scenario.name));
    let out = OutputDir::prepare(&dest, args.overwrite)?;
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));

    let plan = Plan {
        model: scenario.model,
        points: &scenario.points,
        replications: scenario.replications,
        master_seed: scenario.seed,
        ticks: scenario.ticks,
        stop: scenario.stop,
        record_every: scenario.record_every,
    };
    let total = plan.total_runs();
    let bar = progress_bar(total, args.quiet);
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut writers = files::RunWriters::create(out.path(), &scenario)?;
    let tick = || bar.inc(1);
    executor::execute(&plan, threads, &tick, |record| writers.write(&record))?;
    writers.finish(out.path())?;
    bar.finish_and_clear();
    let wall_seconds = clock.elapsed().as_secs_f64();

    let mut produced = vec![files::POINTS, files::RUNS, files::SUMMARY, files::MANIFEST];
    if scenario.record_every > 0 {
        produced.insert(2, files::TIMESERIES);
    }
    produced.push(COMPARISON);
    if !args.no_plots {
        produced.push("plots/");
    }
    let facts = manifest::RunFacts {
        threads,
        started,
        finished: SystemTime::now(),
        wall_seconds,
        command_line,
        files: produced,
    };
    let json = manifest::build(&scenario, &facts);
    std::fs::write(
        out.path().join(files::MANIFEST),
        serde_json::to_string_pretty(&json)? + "\n",
    )
    .context("cannot write manifest.json")?;
    // Analysed from the files just written, exactly as `orgsim compare`/`plot` would later, and
    // before commit, so a failure here leaves no output directory behind.
    let comparison = analyse_run(out.path(), args.no_plots)?;
    let dir = out
        .commit()
        .with_context(|| format!("cannot move the finished outputs into {}", dest.display()))?;
    Ok(RunOutcome {
        runs: total,
        wall_seconds,
        dir,
        comparison,
    })
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The comparison file `run` writes beside the CSVs.
pub const COMPARISON: &str = "comparison.csv";
/// The folder figures go into.
pub const PLOTS: &str = "plots";
/// The report `orgsim report` writes.
pub const REPORT: &str = "report.html";

/// `run`'s analysis of a finished output directory: comparison.csv and, unless `no_plots`, the
/// figures; returns the ranked table. Also for commands that assemble an output directory (e.g. a
/// merge of shards).
pub fn analyse_run(dir: &std::path::Path, no_plots: bool) -> Result<String> {
    let saved = Saved::load(dir, "--out")?;
    let comparison = compare::compare(&saved, &[], None)?;
    write_atomic(
        &dir.join(COMPARISON),
        compare::to_csv(&comparison).as_bytes(),
    )
    .context("cannot write comparison.csv")?;
    if !no_plots {
        let figures = plot::figures(&saved, &comparison, &[])?;
        plot::draw_all(&figures, &dir.join(PLOTS), &PlotOptions::default())?;
    }
    Ok(compare::to_table(&comparison))
}

/// `orgsim compare DIR`: the ranked comparison from saved outputs.
pub fn compare(args: &CompareArgs) -> Result<String> {
    let saved = Saved::load(&args.dir, "DIR")?;
    let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
    Ok(match args.format {
        CompareFormat::Table => compare::to_table(&comparison),
        CompareFormat::Markdown => compare::to_markdown(&comparison),
        CompareFormat::Csv => compare::to_csv(&comparison),
    })
}

/// `orgsim plot DIR`: every figure into DIR/plots/, from the saved files alone.
pub fn plot(args: &PlotArgs) -> Result<Vec<PathBuf>> {
    let saved = Saved::load(&args.dir, "DIR")?;
    let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
    let figures = plot::figures(&saved, &comparison, &args.metric)?;
    let options = PlotOptions {
        metrics: args.metric.clone(),
        width: args.width,
        height: args.height,
        formats: match args.format {
            ImageFormat::Png => Formats::Png,
            ImageFormat::Svg => Formats::Svg,
            ImageFormat::Both => Formats::Both,
        },
    };
    plot::draw_all(&figures, &args.dir.join(PLOTS), &options)
}

/// `orgsim report DIR`: DIR/report.html, whole or not at all.
pub fn report(args: &ReportArgs) -> Result<PathBuf> {
    let saved = Saved::load(&args.dir, "DIR")?;
    let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
    let figures = plot::figures(&saved, &comparison, &args.metric)?;
    let html = report::html(&saved, &comparison, &figures)?;
    let path = args.dir.join(REPORT);
    write_atomic(&path, html.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
