//! One function per subcommand: load → plan → execute → write → analyse.

use std::io::IsTerminal;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::saved::Saved;
use crate::analysis::{change, compare, format, prim, robustness, sensitivity};
use crate::cli::{
    CompareArgs, CompareFormat, DiscoverArgs, ImageFormat, PlotArgs, ReportArgs, RobustnessArgs,
    RobustnessSettings, RunArgs,
};
use crate::engine::params::{Domain, Group, MetricSpec, ParamSpec};
use crate::engine::{adaptive, executor};
use crate::error::InputError;
use crate::models;
use crate::output::{Leftover, OutputDir, files, ledger, manifest, write_atomic};
use crate::plot::{self, Formats, PlotOptions};
use crate::report;
use crate::scenario::{self, Overrides};
use crate::suggest::did_you_mean;

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
        "\nOne tick is one {}; default horizon: {} ticks.\n\nPARAMETERS\n",
        model.tick_unit(),
        model.default_ticks()
    );
    for group in [Group::Lever, Group::Context, Group::Constant] {
        let mut specs = model
            .params()
            .iter()
            .filter(|p| p.group == group)
            .peekable();
        if specs.peek().is_some() {
            out += &format!("\n  {}\n", group.heading().to_uppercase());
        }
        for p in specs {
            out += &describe_param(p);
        }
    }
    out += "\nMETRICS\n";
    for m in model.metrics() {
        out += &format!(
            "  {} ({}){}\n      unit: {}; {} is better\n      {}\n",
            m.name,
            m.label(),
            if m.headline { " (headline)" } else { "" },
            unit_in_words(m),
            if m.higher_is_better {
                "higher"
            } else {
                "lower"
            },
            m.meaning
        );
    }
    if !model.unit_metrics().is_empty() {
        out += "\nPER-UNIT METRICS (units.csv: per_unit = true in [scenario], or run --per-unit)\n";
        for m in model.unit_metrics() {
            out += &format!(
                "  {} ({})\n      unit: {}\n      {}\n",
                m.name,
                m.label(),
                unit_in_words(m),
                m.meaning
            );
        }
    }
    if !model.stop_rules().is_empty() {
        out += "\nSTOPPING RULES (scenario key `stop`)\n";
        for r in model.stop_rules() {
            out += &format!("  {}\n      {}\n", r.name, r.meaning);
        }
    }
    Ok(out)
}

/// A metric's unit and, where declared, what it means: "share — a proportion from 0 to 1".
fn unit_in_words(m: &MetricSpec) -> String {
    match (m.unit, m.unit_meaning) {
        ("", "") => "-".to_string(),
        (unit, "") => unit.to_string(),
        ("" | "-", words) => words.to_string(),
        (unit, words) => format!("{unit} — {words}"),
    }
}

/// One parameter's entry in `describe`: name and label, default, range, unit, meaning, source.
fn describe_param(p: &ParamSpec) -> String {
    let range = match p.domain {
        Domain::Real { min, max } if max.is_infinite() => format!("at least {min}"),
        Domain::Real { min, max } => format!("[{min}, {max}]"),
        Domain::Int { min, max } => format!("{min}..={max} (whole)"),
        Domain::Choice(names) => names.join(" | "),
        Domain::Set(names) => format!("any of {}, comma-separated", names.join(", ")),
    };
    let scheduled = if p.schedulable {
        "; can be scheduled"
    } else {
        ""
    };
    let unit = if p.unit.is_empty() { "-" } else { p.unit };
    let mut entry = format!(
        "  {} ({})\n      default {}; allowed {range}; unit: {unit}{scheduled}\n      {}\n",
        p.name,
        p.label(),
        p.default_display(),
        p.meaning,
    );
    if !p.source.is_empty() {
        entry += &format!("      source: {}\n", p.source);
    }
    entry
}

/// `orgsim validate FILE...`: every file is checked; the first error's kind decides the exit code.
pub fn validate(files: &[PathBuf], allow_large: bool) -> (String, Vec<InputError>) {
    let mut report = String::new();
    let mut errors = Vec::new();
    let overrides = Overrides {
        allow_large,
        ..Overrides::default()
    };
    for file in files {
        match scenario::load(file, &overrides) {
            Ok(s) => {
                report += &format!(
                    "ok: {} ({} model {}, {} points × {}{} replicates = {}{} runs)\n",
                    file.display(),
                    s.name,
                    s.model.name(),
                    s.points.len(),
                    match &s.adaptive {
                        Some(rule) => format!("{} to ", rule.min),
                        None => String::new(),
                    },
                    s.replications,
                    if s.adaptive.is_some() { "at most " } else { "" },
                    (s.points.len() as u64).saturating_mul(s.replications)
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
    /// The runs that panicked (also in failures.csv); the exit code is then 1.
    pub failures: Vec<executor::RunFailure>,
}

/// The test-only environment variable naming a run id that panics at its first tick, to exercise
/// the handling of failed runs (README, "Failed runs").
pub const FAULT_RUN_VAR: &str = "ORGSIM_FAULT_RUN";

/// The run id in [`FAULT_RUN_VAR`], if set to a whole number.
fn fault_run() -> Option<u64> {
    std::env::var(FAULT_RUN_VAR).ok()?.trim().parse().ok()
}

/// The output directory of `run`: `--out`, else `outputs/NAME` (with the shard or run id).
fn destination(args: &RunArgs, scenario: &scenario::Scenario) -> PathBuf {
    args.out.clone().unwrap_or_else(|| {
        let folder = match (args.shard, args.only) {
            (Some(shard), _) => {
                format!("{}.shard-{}-of-{}", scenario.name, shard.index, shard.count)
            }
            (None, Some(id)) => format!("{}.run-{id}", scenario.name),
            (None, None) => scenario.name.clone(),
        };
        PathBuf::from("outputs").join(folder)
    })
}

/// How many runs of the first point `run --dry-run` times.
const PILOT_RUNS: u64 = 3;

/// `orgsim run --dry-run`: the sweep's size as counted at validation (so a sweep above the limits
/// has already been refused, naming the flag that raises them), the destination's checks, and a
/// wall time estimated from a pilot of a few runs of the first point; nothing is written.
pub fn dry_run(args: &RunArgs) -> Result<String> {
    let overrides = Overrides {
        replications: args.replications,
        seed: args.seed,
        set: args.set.clone(),
        per_unit: args.per_unit,
        allow_large: args.allow_large,
    };
    let scenario = scenario::load(&args.file, &overrides)?;
    let shard_groups = adaptive_shard_groups(args, &scenario)?;
    let dest = destination(args, &scenario);
    crate::output::check_destination(&dest)?;
    let plan = scenario.plan();
    let runs = match (args.shard, args.only) {
        (Some(_), _) if shard_groups.is_some() => {
            adaptive_shard_span(&scenario, shard_groups.as_deref().unwrap_or_default())
        }
        (Some(shard), _) => executor::shard_runs(plan.total_runs(), shard.index, shard.count),
        (None, Some(id)) if id < plan.total_runs() => id..id + 1,
        (None, Some(id)) => {
            return Err(InputError::new(
                "--only",
                format!(
                    "run {id} does not exist: this sweep's run ids are 0 to {}",
                    plan.total_runs().saturating_sub(1)
                ),
            )
            .into());
        }
        (None, None) => 0..plan.total_runs(),
    };
    // An adaptive shard's runs are at most `max` at each point it holds, not a range of ids.
    let held_points = shard_groups.as_deref().map(adaptive::points_of);
    let count = match &held_points {
        Some(points) => points.len() as u64 * scenario.replications,
        None => runs.end - runs.start,
    };
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let size = scenario.size;
    let share = |x: u64| {
        // This shard's (or run's) part of a whole-sweep count.
        (x as u128 * count as u128 / size.runs.max(1) as u128) as u64
    };
    let mut text = format!(
        "orgsim: dry run of {} ({}): nothing is written
",
        scenario.name,
        args.file.display()
    );
    text += &format!(
        "  points:  {}
",
        size.points
    );
    text += &format!(
        "  runs:    {} ({} points × {} replicates){}
",
        size.runs,
        size.points,
        scenario.replications,
        match &held_points {
            Some(points) => format!(
                "; this shard holds {} of the {} points (whole settings, options together) and runs at most {count} of them",
                points.len(),
                size.points
            ),
            None if count == size.runs => String::new(),
            None => format!(
                "; this command runs {count} of them (run ids {} to {})",
                runs.start,
                runs.end - 1
            ),
        }
    );
    if let Some(rule) = &scenario.adaptive {
        text += &format!(
            "  adaptive: each point runs {} to {} replicates, as its 95% half-width of {} needs; the counts above are the worst case ({} at every point)\n",
            rule.min,
            rule.max,
            scenario.model.metrics()[rule.metric].name,
            rule.max
        );
    }
    text += &format!(
        "  ticks:   at most {} per run, {} in all{}
",
        scenario.ticks,
        share(size.ticks),
        if scenario.stop.is_some() {
            " (a stop rule may end runs earlier)"
        } else {
            ""
        }
    );
    text += &format!(
        "  output:  about {} (runs.csv{})
",
        human_bytes(share(size.output_bytes)),
        if scenario.record_every > 0 {
            " and timeseries.csv"
        } else {
            ""
        }
    );
    let pilot = PILOT_RUNS.min(scenario.replications).min(count);
    if let Some(point) = scenario.points.first().filter(|_| pilot > 0) {
        let clock = Instant::now();
        for replicate in 0..pilot {
            executor::run_one(&plan, point, replicate);
        }
        let per_run = clock.elapsed().as_secs_f64() / pilot as f64;
        let wall = per_run * count as f64 / threads.min(count.max(1) as usize) as f64;
        text += &format!(
            "  pilot:   {pilot} runs of point 0 took {:.3} s ({} a run)
",
            per_run * pilot as f64,
            human_seconds(per_run)
        );
        text += &format!(
            "  estimated wall time: {} on {threads} threads (from the pilot; points that differ in cost change it)
",
            human_seconds(wall)
        );
    }
    text += &format!(
        "  outputs would go to: {}{}
",
        dest.display(),
        if dest.exists() { " (exists)" } else { "" }
    );
    Ok(text)
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut x = bytes as f64;
    let mut unit = 0;
    while x >= 1000.0 && unit < UNITS.len() - 1 {
        x /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

fn human_seconds(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => format!("{:.1} ms", s * 1000.0),
        s if s < 120.0 => format!("{s:.1} s"),
        s if s < 7200.0 => format!("{:.1} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// `orgsim run`.
pub fn run(args: &RunArgs, command_line: Vec<String>) -> Result<RunOutcome> {
    let overrides = Overrides {
        replications: args.replications,
        seed: args.seed,
        set: args.set.clone(),
        per_unit: args.per_unit,
        allow_large: args.allow_large,
    };
    let scenario = scenario::load(&args.file, &overrides)?;
    let shard_groups = adaptive_shard_groups(args, &scenario)?;
    let dest = destination(args, &scenario);
    let plan = scenario.plan();
    if let Some(id) = args.only
        && id >= plan.total_runs()
    {
        return Err(InputError::new(
            "--only",
            format!(
                "run {id} does not exist: this sweep's run ids are 0 to {}",
                plan.total_runs().saturating_sub(1)
            ),
        )
        .into());
    }
    let staging = crate::output::staging_path(&dest);
    if args.resume && dest.join(files::MANIFEST).is_file() && !staging.exists() {
        // A requeued cluster task whose work is done: nothing to redo, and not an error, unless
        // the complete output is another run's (a sweep submitted again after a change).
        let done = Saved::read_manifest(&dest, "--out")?;
        let this = manifest::hex_sha256(scenario.text.as_bytes());
        let differences: Vec<&str> = [
            ("the scenario file", done.scenario.sha256 != this),
            ("the seed", done.master_seed != scenario.seed),
            ("replications", done.replications != scenario.replications),
            (
                "the build",
                !done.build_id.is_empty() && done.build_id != crate::BUILD_ID,
            ),
            (
                "the shard",
                done.shard.as_ref().map(|s| (s.index, s.count))
                    != args.shard.map(|s| (s.index, s.count)),
            ),
        ]
        .into_iter()
        .filter_map(|(what, differs)| differs.then_some(what))
        .collect();
        if !differences.is_empty() {
            return Err(InputError::new(
                dest.display().to_string(),
                format!(
                    "--resume: this directory holds the complete output of a different run ({} differ); remove it or choose another --out DIR",
                    differences.join(", ")
                ),
            )
            .into());
        }
        eprintln!(
            "orgsim: {} is already complete; nothing to resume",
            dest.display()
        );
        return Ok(RunOutcome {
            runs: 0,
            wall_seconds: 0.0,
            dir: dest,
            comparison: String::new(),
            failures: Vec::new(),
        });
    }
    let leftover = if args.resume {
        Leftover::Resume
    } else if args.overwrite {
        Leftover::Discard
    } else {
        Leftover::Refuse
    };
    let mut out = OutputDir::prepare(&dest, args.overwrite, &[args.file.as_path()], leftover)?;
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));

    let runs = match (args.shard, args.only) {
        (Some(_), _) if shard_groups.is_some() => {
            adaptive_shard_span(&scenario, shard_groups.as_deref().unwrap_or_default())
        }
        (Some(shard), _) => executor::shard_runs(plan.total_runs(), shard.index, shard.count),
        (None, Some(id)) => id..id + 1,
        (None, None) => 0..plan.total_runs(),
    };
    let resumed_state = if out.resumed() {
        Some(ledger::read(out.path())?.context("the interrupted run's ledger is unreadable")?)
    } else {
        None
    };
    // An adaptive sweep first decides each point's replicates (or takes the decision from the
    // ledger it is resuming), then runs exactly those runs, in run-id order, like any sweep.
    let adaptive: Option<Vec<(u64, bool)>> = match (&scenario.adaptive, args.only) {
        (Some(rule), None) => Some(
            match resumed_state
                .as_ref()
                .and_then(|s| s.identity.adaptive.clone())
                .filter(|saved| saved.len() == scenario.points.len())
            {
                Some(saved) => saved,
                None => {
                    let all_groups;
                    let groups = match &shard_groups {
                        Some(held) => held.as_slice(),
                        None => {
                            all_groups = scenario.adaptive_groups();
                            all_groups.as_slice()
                        }
                    };
                    decide_replicates(&scenario, rule, groups, threads, &mut out)?
                }
            },
        ),
        _ => None,
    };
    let run_set = match &adaptive {
        Some(per_point) => {
            let counts: Vec<u64> = per_point.iter().map(|&(n, _)| n).collect();
            executor::RunSet::List(adaptive::adaptive_run_ids(scenario.replications, &counts))
        }
        None => executor::RunSet::Range(runs.clone()),
    };
    let identity = ledger::Identity {
        build: crate::BUILD_ID.to_string(),
        scenario_sha256: manifest::hex_sha256(scenario.text.as_bytes()),
        model: scenario.model.name().to_string(),
        master_seed: scenario.seed,
        replications: scenario.replications,
        set: args.set.clone(),
        per_unit: scenario.per_unit,
        runs: (runs.start, runs.end),
        command_line: command_line.clone(),
        adaptive: adaptive.clone(),
    };
    let (mut writers, mut journal, first_run, mut failures) = if let Some(state) = resumed_state {
        let differences = state.identity.differences(&identity);
        if !differences.is_empty() {
            out.keep_for_resume();
            return Err(InputError::new(
                dest.display().to_string(),
                format!(
                    "cannot resume: this is not the run that was interrupted ({}); run it as it was started, or drop --resume and pass --overwrite to start afresh",
                    differences.join("; ")
                ),
            )
            .into());
        }
        let writers = files::RunWriters::resume(out.path(), &scenario, &state.last.lengths)?;
        eprintln!(
            "orgsim: resuming {}: {} of {} runs were done",
            dest.display(),
            state.done(),
            state.total()
        );
        let journal = ledger::Ledger::reopen(out.path())?;
        (writers, journal, state.last.next_run, state.failures)
    } else {
        let mut writers = files::RunWriters::create(out.path(), &scenario)?;
        let lengths = writers.sync()?;
        let mut journal = ledger::Ledger::create(out.path(), &identity)?;
        journal.checkpoint(&ledger::Checkpoint {
            next_run: runs.start,
            lengths,
            failures: Vec::new(),
        })?;
        (writers, journal, runs.start, Vec::new())
    };
    if let Some(per_point) = &adaptive {
        writers.set_adaptive(per_point.clone());
    }
    let total = run_set.len();
    let bar = progress_bar(total, args.quiet);
    bar.set_position(total - run_set.from_run(first_run).len());
    let started = SystemTime::now();
    let clock = Instant::now();
    let tick = || bar.inc(1);
    let controls = executor::Controls {
        cancel: interrupt_flag(),
        fault_run: fault_run(),
    };
    // A shard or a single run holds part of the runs: no summary, comparison or plots.
    let whole = args.shard.is_none() && args.only.is_none();
    let mut next_run = first_run;
    let mut unrecorded: Vec<executor::RunFailure> = Vec::new();
    let mut last_checkpoint = Instant::now();
    let mut checkpoint = |writers: &mut files::RunWriters,
                          next_run: u64,
                          unrecorded: &mut Vec<executor::RunFailure>|
     -> Result<()> {
        let lengths = writers.sync()?;
        journal.checkpoint(&ledger::Checkpoint {
            next_run,
            lengths,
            failures: unrecorded.iter().map(ledger::FailureRecord::from).collect(),
        })?;
        failures.append(unrecorded);
        Ok(())
    };
    let executed = executor::execute_set(
        &plan,
        &run_set.from_run(first_run),
        threads,
        &tick,
        controls,
        |delivered| match delivered {
            executor::Delivered::Run(executor::Finished::Done(record)) => {
                next_run = record.run_id + 1;
                writers.write(&record)
            }
            executor::Delivered::Run(executor::Finished::Failed(failure)) => {
                next_run = failure.run_id + 1;
                unrecorded.push(failure);
                Ok(())
            }
            // Syncing costs little next to a second of runs, and bounds what a kill can lose.
            executor::Delivered::ChunkEnd if last_checkpoint.elapsed().as_secs_f64() >= 1.0 => {
                last_checkpoint = Instant::now();
                checkpoint(&mut writers, next_run, &mut unrecorded)
            }
            executor::Delivered::ChunkEnd => Ok(()),
        },
    );
    if let Err(e) = executed {
        if interrupt_flag().load(Ordering::Relaxed) {
            checkpoint(&mut writers, next_run, &mut unrecorded)?;
            out.keep_for_resume();
            bar.finish_and_clear();
            anyhow::bail!(
                "interrupted: {} of {total} runs are kept in {}; resume with: {}",
                total - run_set.from_run(next_run).len(),
                out.path().display(),
                identity.resume_command()
            );
        }
        return Err(e).with_context(|| format!("nothing was written to {}", dest.display()));
    }
    failures.append(&mut unrecorded);
    writers.finish(out.path(), whole)?;
    if !failures.is_empty() {
        files::write_failures(&out.path().join(files::FAILURES), &failures)?;
    }
    bar.finish_and_clear();
    let wall_seconds = clock.elapsed().as_secs_f64();

    let mut produced = vec![files::MANIFEST, files::POINTS, files::RUNS];
    if scenario.record_every > 0 {
        produced.push(files::TIMESERIES);
    }
    if scenario.per_unit {
        produced.push(files::UNITS);
        if scenario.record_every > 0 {
            produced.push(files::UNITS_TIMESERIES);
        }
    }
    if !failures.is_empty() {
        produced.push(files::FAILURES);
    }
    if whole {
        produced.extend(analysis_files(
            args.no_plots,
            scenario.design.is_some(),
            scenario.design.is_some() && scenario.options.len() >= 2,
        ));
    }
    let facts = manifest::RunFacts {
        threads,
        started,
        finished: SystemTime::now(),
        wall_seconds,
        command_line,
        files: produced,
        shard: args.shard.map(|s| manifest::ShardInfo {
            index: s.index,
            count: s.count,
            run_ids: [runs.start, runs.end],
            points: shard_groups.as_deref().map(adaptive::points_of),
        }),
        failed_runs: failures.len() as u64,
        only_run: args.only,
        adaptive: match (&scenario.adaptive, &adaptive) {
            (Some(rule), Some(per_point)) => Some(manifest::AdaptiveInfo::new(
                &scenario,
                rule,
                per_point.iter().map(|&(n, _)| n).collect(),
                per_point.iter().map(|&(_, met)| met).collect(),
            )),
            _ => None,
        },
    };
    let mut written = manifest::build(&scenario, &facts);
    written.checksums =
        crate::output::integrity::record(out.path()).context("cannot checksum the output files")?;
    let text = written.to_text()?;
    std::fs::write(out.path().join(files::MANIFEST), text).context("cannot write manifest.json")?;
    // Analysed from the files just written, exactly as `orgsim compare`/`plot` would later, and
    // before commit, so a failure here leaves no output directory behind.
    let comparison = if whole {
        analyse_run(out.path(), args.no_plots)?
    } else {
        String::new()
    };
    let dir = out
        .commit()
        .with_context(|| format!("cannot move the finished outputs into {}", dest.display()))?;
    Ok(RunOutcome {
        runs: total,
        wall_seconds,
        dir,
        comparison,
        failures,
    })
}

/// With adaptive replication, the decision groups `run --shard K/N` holds: whole settings (a point
/// alone, or a setting with all its options), so that the shard decides each of them exactly as
/// the whole run does. `None` for a fixed sweep or a whole run. More shards than settings are
/// refused: a shard would hold nothing.
fn adaptive_shard_groups(
    args: &RunArgs,
    scenario: &scenario::Scenario,
) -> Result<Option<Vec<adaptive::Group>>, InputError> {
    let (Some(_), Some(shard)) = (&scenario.adaptive, args.shard) else {
        return Ok(None);
    };
    let groups = scenario.adaptive_groups();
    if shard.count > groups.len() as u64 {
        let unit = if scenario.has_options() {
            "settings (each with all its options)"
        } else {
            "points"
        };
        return Err(InputError::new(
            format!("--shard {}/{}", shard.index, shard.count),
            format!(
                "{}: an adaptive sweep is sharded by whole {unit}, and it has {} of them; give at most {} shards",
                args.file.display(),
                groups.len(),
                groups.len()
            ),
        ));
    }
    Ok(Some(
        adaptive::shard_groups(&groups, shard.index, shard.count).to_vec(),
    ))
}

/// The run ids an adaptive shard's runs lie within: from its first point's first possible run to
/// its last point's last (`max` replicates each); with options, other shards' ids lie between.
fn adaptive_shard_span(scenario: &scenario::Scenario, groups: &[adaptive::Group]) -> Range<u64> {
    let points = adaptive::points_of(groups);
    match (points.first(), points.last()) {
        (Some(&first), Some(&last)) => {
            first as u64 * scenario.replications..(last as u64 + 1) * scenario.replications
        }
        _ => 0..0,
    }
}

/// Runs the adaptive rule's decision pass over `groups`: each point's (replicates, target met),
/// (0, false) for a point in no group (another shard's). Interrupted, it
/// leaves nothing new behind (a resumed run's staging directory is kept as it was).
fn decide_replicates(
    scenario: &scenario::Scenario,
    rule: &adaptive::Rule,
    groups: &[adaptive::Group],
    threads: usize,
    out: &mut OutputDir,
) -> Result<Vec<(u64, bool)>> {
    let controls = executor::Controls {
        cancel: interrupt_flag(),
        fault_run: fault_run(),
    };
    let decisions = match adaptive::decide(&scenario.plan(), rule, groups, threads, controls) {
        Ok(d) => d,
        Err(e) => {
            if interrupt_flag().load(Ordering::Relaxed) {
                if out.resumed() {
                    out.keep_for_resume();
                }
                anyhow::bail!(
                    "interrupted while deciding how many replicates each point needs: no run was written; run it again"
                );
            }
            return Err(e);
        }
    };
    let counts = adaptive::replicates_per_point(scenario.points.len(), groups, &decisions);
    let mut met = vec![false; scenario.points.len()];
    for (group, decision) in groups.iter().zip(&decisions) {
        for &p in &group.points {
            met[p] = decision.target_met;
        }
    }
    Ok(counts.into_iter().zip(met).collect())
}

/// `orgsim status DIR`: whether the run into DIR is complete, running, or interrupted (and then
/// how far it got and the command that resumes it).
pub fn status(dir: &std::path::Path) -> Result<String, InputError> {
    let shown = dir.display().to_string();
    let staging = crate::output::staging_path(dir);
    if staging.is_dir() {
        let running = crate::output::is_locked(dir);
        let state = ledger::read(&staging).map_err(|e| InputError::new(&shown, e.to_string()))?;
        let Some(state) = state else {
            return Ok(format!(
                "{shown}: {} (no run finished yet)\n",
                if running {
                    "running"
                } else {
                    "interrupted before its first checkpoint; run it again"
                }
            ));
        };
        let (done, total, failed) = (state.done(), state.total(), state.failures.len());
        let mut text = format!(
            "{shown}: {}: {done} of {total} runs done ({failed} failed), {} left\n",
            if running { "running" } else { "interrupted" },
            total - done
        );
        if !running {
            text += &format!("resume with: {}\n", state.identity.resume_command());
        }
        return Ok(text);
    }
    let manifest_path = dir.join(files::MANIFEST);
    if manifest_path.is_file() {
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| InputError::new(manifest_path.display().to_string(), e.to_string()))?;
        let m = manifest::Manifest::parse(&text, &manifest_path)?;
        let runs = m.total_runs();
        return Ok(format!(
            "{shown}: complete: {} runs ({} failed){}\n",
            match m.shard.as_ref() {
                // An adaptive shard's points not held count 0 replicates.
                Some(_) if m.adaptive.is_some() => runs,
                Some(s) => s.run_ids[1] - s.run_ids[0],
                None if m.only_run.is_some() => 1,
                None => runs,
            },
            m.failed_runs,
            if m.shard.is_some() { ", one shard" } else { "" }
        ));
    }
    Err(InputError::new(
        &shown,
        "no orgsim output here, and no interrupted run into it",
    ))
}

/// A flag set by Ctrl-C (or SIGTERM, as Slurm's scancel sends), so that a run stops cleanly: the
/// finished runs are checkpointed and kept in the staging directory for `--resume`, and no partial
/// output directory appears. The handler is installed once per process.
fn interrupt_flag() -> &'static AtomicBool {
    static FLAG: AtomicBool = AtomicBool::new(false);
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // Without a handler (e.g. one is already installed), Ctrl-C falls back to the default.
        // A second Ctrl-C stops at once: the ledger is append-only and synced line by line, so
        // what it records stays resumable (data after its last line is cut off on resume).
        let _ = ctrlc::set_handler(|| {
            if FLAG.swap(true, Ordering::Relaxed) {
                eprintln!("orgsim: stopped at once; resume with --resume");
                std::process::exit(130);
            }
        });
    });
    &FLAG
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {rate}  ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} runs/s", state.per_sec());
            },
        );
    bar.set_style(style);
    bar
}

/// The comparison file `run` writes beside the CSVs.
pub const COMPARISON: &str = "comparison.csv";
/// The change measures (J-curve) of scheduled options, and their trajectories with bands.
pub const CHANGE: &str = "change.csv";
pub const CHANGE_TRAJECTORY: &str = "change_trajectory.csv";
/// The folder figures go into.
pub const PLOTS: &str = "plots";
/// The report `orgsim report` writes.
pub const REPORT: &str = "report.html";

/// The files [`analyse_run`] adds to an output directory (beside summary.csv, which the writers
/// make); a design run gets its sensitivity analysis instead of a ranked comparison of its points,
/// and a design crossed with options (`robust`) also its robustness analysis.
pub fn analysis_files(no_plots: bool, design: bool, robust: bool) -> Vec<&'static str> {
    let mut names = if design {
        vec![
            files::SUMMARY,
            sensitivity::SENSITIVITY,
            sensitivity::SALIB_PROBLEM,
        ]
    } else {
        vec![files::SUMMARY, COMPARISON]
    };
    if robust {
        names.extend(robustness::files());
    }
    if !no_plots {
        names.extend(["plots/", REPORT]);
    }
    names
}

/// `orgsim merge`: joins shards, then analyses the merged directory like a run; returns the number of
/// runs and the ranked table.
pub fn merge(
    shards: &[PathBuf],
    out: &std::path::Path,
    overwrite: bool,
    no_plots: bool,
) -> Result<(u64, String)> {
    let mut table = String::new();
    // Whether the shards hold a design (the merge itself checks them and reports any fault).
    let first = shards
        .first()
        .and_then(|first| Saved::read_manifest(first, "SHARD").ok());
    let design = first.as_ref().is_some_and(|m| m.design.is_some());
    let robust = first.as_ref().is_some_and(robustness::applies);
    let runs = crate::output::merge::merge(
        shards,
        out,
        overwrite,
        &analysis_files(no_plots, design, robust),
        |dir| {
            table = analyse_run(dir, no_plots)?;
            Ok(())
        },
    )?;
    Ok((runs, table))
}

/// `run`'s analysis of a finished output directory: comparison.csv and, unless `no_plots`, the
/// figures and report.html; returns the ranked table. Also for commands that assemble an output directory (e.g. a
/// merge of shards).
pub fn analyse_run(dir: &std::path::Path, no_plots: bool) -> Result<String> {
    let manifest = Saved::load_manifest(dir, "--out")?;
    if manifest.design.is_some() {
        return analyse_design(dir, &manifest, no_plots);
    }
    let saved = Saved::with_manifest(dir, manifest)?;
    let comparison = compare::compare(&saved, &[], None)?;
    write_atomic(
        &dir.join(COMPARISON),
        format::to_csv(&comparison).as_bytes(),
    )
    .context("cannot write comparison.csv")?;
    write_change(&saved)?;
    if !no_plots {
        let figures = plot::figures(&saved, &comparison, &[])?;
        plot::draw_all(&figures, &dir.join(PLOTS), &PlotOptions::default())?;
        let html = report::html(&saved, &comparison, &figures)?;
        write_atomic(&dir.join(REPORT), html.as_bytes()).context("cannot write report.html")?;
    }
    Ok(terminal_table(&comparison))
}

/// The table printed at the end of `run` and by `compare`: the ranking against the baseline, or,
/// for a plain sweep or a one-point run (no baseline worth naming), each alternative's mean.
fn terminal_table(comparison: &compare::Comparison) -> String {
    if comparison.is_ranking() {
        format::to_table(comparison)
    } else {
        format::to_means_table(comparison)
    }
}

/// The sensitivity analysis of a design run: sensitivity.csv, salib_problem.json and, unless
/// `no_plots`, its figures and report.html; returns the terminal table. Reads only the manifest and
/// streams runs.csv.
fn analyse_design(
    dir: &std::path::Path,
    manifest: &manifest::Manifest,
    no_plots: bool,
) -> Result<String> {
    let Some(s) = sensitivity::analyse(dir, manifest)? else {
        return Ok(String::new());
    };
    let robust = if robustness::applies(manifest) {
        let a = robustness::analyse_dir(
            dir,
            manifest,
            &robustness::Overrides::default(),
            prim::Settings::default(),
        )?;
        robustness::write(dir, &a)?;
        Some(a)
    } else {
        None
    };
    write_atomic(
        &dir.join(sensitivity::SENSITIVITY),
        sensitivity::to_csv(&s).as_bytes(),
    )
    .context("cannot write sensitivity.csv")?;
    write_atomic(
        &dir.join(sensitivity::SALIB_PROBLEM),
        sensitivity::salib_problem(&s).as_bytes(),
    )
    .context("cannot write salib_problem.json")?;
    if !no_plots {
        let mut figures = plot::design_figures(manifest, &s);
        if let Some(a) = &robust {
            figures.extend(plot::robust::figures(a));
        }
        plot::draw_all(&figures, &dir.join(PLOTS), &PlotOptions::default())?;
        let html = report::design_html(manifest, &s, &figures, robust.as_ref())?;
        write_atomic(&dir.join(REPORT), html.as_bytes()).context("cannot write report.html")?;
    }
    let mut text = sensitivity::to_table(&s);
    if let Some(a) = &robust {
        // The answer a leader asked for comes last, where the terminal leaves it in view.
        text += &robustness::report_text(a);
    }
    Ok(text)
}

/// `orgsim sensitivity DIR`: the sensitivity analysis of a saved design run, (re)written into DIR.
pub fn sensitivity(dir: &std::path::Path, no_plots: bool) -> Result<String> {
    let manifest = Saved::load_manifest(dir, "DIR")?;
    if manifest.design.is_none() {
        return Err(InputError::new(
            "DIR",
            format!(
                "{}: not a design run (its scenario has no [design]); `orgsim compare` ranks the points of a sweep",
                dir.display()
            ),
        )
        .into());
    }
    let table = analyse_design(dir, &manifest, no_plots)?;
    let robust = robustness::applies(&manifest);
    let names = analysis_files(no_plots, true, robust);
    list_files(dir, manifest, &names)?;
    Ok(table)
}

/// change.csv and change_trajectory.csv into a saved directory, when its options have schedules
/// (and a time series was recorded); the manifest then lists them. Nothing is written otherwise,
/// so outputs without a change keep exactly the files they always had.
fn write_change(saved: &Saved) -> Result<()> {
    let Some(changes) = change::analyse(saved)? else {
        return Ok(());
    };
    let dir = &saved.dir;
    write_atomic(&dir.join(CHANGE), format::change_csv(&changes).as_bytes())
        .context("cannot write change.csv")?;
    write_atomic(
        &dir.join(CHANGE_TRAJECTORY),
        format::trajectory_csv(&changes).as_bytes(),
    )
    .context("cannot write change_trajectory.csv")?;
    list_files(dir, saved.manifest.clone(), &[CHANGE, CHANGE_TRAJECTORY])
}

/// `orgsim compare DIR`: the ranked comparison from saved outputs; also (re)writes the change
/// measures into DIR when its options have schedules.
pub fn compare(args: &CompareArgs) -> Result<String> {
    let saved = Saved::load(&args.dir, "DIR")?;
    write_change(&saved)?;
    let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
    Ok(match args.format {
        CompareFormat::Table => terminal_table(&comparison),
        CompareFormat::Markdown if comparison.is_ranking() => format::to_markdown(&comparison),
        CompareFormat::Markdown => format!("```\n{}```\n", format::to_means_table(&comparison)),
        CompareFormat::Csv => format::to_csv(&comparison),
    })
}

/// `orgsim plot DIR`: every figure into DIR/plots/, from the saved files alone.
pub fn plot(args: &PlotArgs) -> Result<Vec<PathBuf>> {
    let manifest = Saved::load_manifest(&args.dir, "DIR")?;
    let figures = match sensitivity::analyse(&args.dir, &manifest)? {
        Some(s) => {
            let mut figures = plot::design_figures(&manifest, &s);
            if robustness::applies(&manifest) {
                let a = robustness::analyse_dir(
                    &args.dir,
                    &manifest,
                    &robustness::Overrides::default(),
                    prim::Settings::default(),
                )?;
                figures.extend(plot::robust::figures(&a));
            }
            figures
        }
        None => {
            let saved = Saved::with_manifest(&args.dir, manifest)?;
            let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
            plot::figures(&saved, &comparison, &args.metric)?
        }
    };
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
    let manifest = Saved::load_manifest(&args.dir, "DIR")?;
    let html = match sensitivity::analyse(&args.dir, &manifest)? {
        Some(s) => {
            let mut figures = plot::design_figures(&manifest, &s);
            let robust = if robustness::applies(&manifest) {
                let a = robustness::analyse_dir(
                    &args.dir,
                    &manifest,
                    &robustness::Overrides::default(),
                    prim::Settings::default(),
                )?;
                figures.extend(plot::robust::figures(&a));
                Some(a)
            } else {
                None
            };
            report::design_html(&manifest, &s, &figures, robust.as_ref())?
        }
        None => {
            let saved = Saved::with_manifest(&args.dir, manifest)?;
            let comparison = compare::compare(&saved, &args.metric, args.baseline.as_deref())?;
            let figures = plot::figures(&saved, &comparison, &args.metric)?;
            report::html(&saved, &comparison, &figures)?
        }
    };
    let path = args.dir.join(REPORT);
    write_atomic(&path, html.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn robustness_overrides(settings: &RobustnessSettings, cases: &[String]) -> robustness::Overrides {
    robustness::Overrides {
        metric: settings.metric.clone(),
        percentile: settings.percentile,
        threshold: settings.threshold,
        threshold_metric: settings.threshold_metric.clone(),
        from_baseline: settings.from_baseline,
        cases: cases.to_vec(),
    }
}

/// The manifest of a saved directory that holds a design crossed with two or more options.
fn robust_manifest(dir: &std::path::Path) -> Result<manifest::Manifest> {
    let manifest = Saved::load_manifest(dir, "DIR")?;
    if !robustness::applies(&manifest) {
        return Err(InputError::new(
            "DIR",
            format!(
                "{}: robustness and discovery compare two or more [[option]]s across a [design]; this run has {} and {} option(s)",
                dir.display(),
                if manifest.design.is_some() { "a design" } else { "no design" },
                manifest.options.len()
            ),
        )
        .into());
    }
    Ok(manifest)
}

/// Adds `names` to the manifest's list of files, when missing.
fn list_files(
    dir: &std::path::Path,
    mut manifest: manifest::Manifest,
    names: &[&str],
) -> Result<()> {
    let before = manifest.files.len();
    for name in names {
        if !manifest.files.iter().any(|f| f == name) {
            manifest.files.push(name.to_string());
        }
    }
    if manifest.files.len() != before {
        write_atomic(&dir.join(files::MANIFEST), manifest.to_text()?.as_bytes())
            .context("cannot update manifest.json")?;
    }
    Ok(())
}

/// `orgsim robustness DIR`: the robustness analysis of a saved design × options run, (re)written
/// into DIR with its figures and report; returns the ranked table.
pub fn robustness(args: &RobustnessArgs) -> Result<String> {
    let manifest = robust_manifest(&args.dir)?;
    let overrides = robustness_overrides(&args.settings, &[]);
    let a = robustness::analyse_dir(&args.dir, &manifest, &overrides, prim::Settings::default())?;
    robustness::write(&args.dir, &a)?;
    let mut names: Vec<&str> = robustness::files().to_vec();
    if !args.no_plots {
        let s = sensitivity::analyse(&args.dir, &manifest)?;
        let mut figures = s
            .as_ref()
            .map(|s| plot::design_figures(&manifest, s))
            .unwrap_or_default();
        figures.extend(plot::robust::figures(&a));
        plot::draw_all(&figures, &args.dir.join(PLOTS), &PlotOptions::default())?;
        if let Some(s) = &s {
            let html = report::design_html(&manifest, s, &figures, Some(&a))?;
            write_atomic(&args.dir.join(REPORT), html.as_bytes())
                .context("cannot write report.html")?;
        }
        names.extend(["plots/", REPORT]);
    }
    list_files(&args.dir, manifest, &names)?;
    Ok(robustness::report_text(&a))
}

/// `orgsim discover DIR --case ...`: PRIM boxes for the cases, written into DIR.
pub fn discover(args: &DiscoverArgs) -> Result<String> {
    let manifest = robust_manifest(&args.dir)?;
    for (flag, x) in [
        ("--peel-alpha", args.peel_alpha),
        ("--paste-alpha", args.paste_alpha),
        ("--mass-min", args.mass_min),
    ] {
        if !(x > 0.0 && x < 0.5) {
            return Err(InputError::new(flag, format!("{x} must lie between 0 and 0.5")).into());
        }
    }
    if let Some(d) = args.density
        && !(0.0..=1.0).contains(&d)
    {
        return Err(InputError::new("--density", format!("{d} must lie from 0 to 1")).into());
    }
    let overrides = robustness_overrides(&args.settings, &args.cases);
    let settings = prim::Settings {
        peel_alpha: args.peel_alpha,
        paste_alpha: args.paste_alpha,
        mass_min: args.mass_min,
        threshold: args.density,
        max_boxes: args.boxes as usize,
    };
    let a = robustness::analyse_dir(&args.dir, &manifest, &overrides, settings)?;
    robustness::write(&args.dir, &a)?;
    list_files(&args.dir, manifest, &robustness::files())?;
    Ok(robustness::discovery_text(&a))
}
