//! The command-line surface (clap derive). Parsing only: `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "orgsim",
    version,
    about = "Agent-based simulator of how organisations turn data into better policy"
)]
#[command(
    after_help = "Exit codes: 0 success; 2 bad input (file, flag or value); 1 a failure while running."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// How `compare` prints its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Table,
    Markdown,
    Csv,
}

/// Which image files `plot` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageFormat {
    Png,
    Svg,
    Both,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// An output directory written by `orgsim run`.
    pub dir: PathBuf,
    /// Metrics to compare (repeatable) [default: the model's headline metrics].
    #[arg(long, value_name = "NAME")]
    pub metric: Vec<String>,
    /// The option to compare against [default: the scenario's `baseline`, else the first option;
    /// for a plain sweep, point 0 (give a point_id or label)].
    #[arg(long, value_name = "OPTION")]
    pub baseline: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// An output directory written by `orgsim run`.
    pub dir: PathBuf,
    /// Metrics to plot (repeatable) [default: the model's headline metrics].
    #[arg(long, value_name = "NAME")]
    pub metric: Vec<String>,
    /// The option differences are measured from [default: as for `compare`].
    #[arg(long, value_name = "OPTION")]
    pub baseline: Option<String>,
    /// Width in pixels; it stands for one journal column, so text keeps 7–9 pt at any width.
    #[arg(long, value_name = "PX", default_value_t = 1050, value_parser = clap::value_parser!(u32).range(200..=10000))]
    pub width: u32,
    /// Height in pixels (charts with many rows grow taller).
    #[arg(long, value_name = "PX", default_value_t = 750, value_parser = clap::value_parser!(u32).range(150..=10000))]
    pub height: u32,
    /// Image files to write.
    #[arg(long, value_enum, default_value_t = ImageFormat::Both)]
    pub format: ImageFormat,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// An output directory written by `orgsim run`.
    pub dir: PathBuf,
    /// Metrics to report (repeatable) [default: the model's headline metrics].
    #[arg(long, value_name = "NAME")]
    pub metric: Vec<String>,
    /// The option to compare against [default: as for `compare`].
    #[arg(long, value_name = "OPTION")]
    pub baseline: Option<String>,
}

/// The settings of a robustness analysis; each overrides the scenario's `[robustness]`.
#[derive(Debug, Args, Clone, Default)]
pub struct RobustnessSettings {
    /// The metric regret is measured on [default: `[robustness] metric`, else the first headline metric].
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// The percentile of regret to report, 0–100 [default: `[robustness] percentile`, else 90].
    #[arg(long, value_name = "P")]
    pub percentile: Option<f64>,
    /// Satisficing: a point counts when the option's mean reaches this value.
    #[arg(long, value_name = "V", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// The metric the threshold applies to [default: --metric].
    #[arg(long, value_name = "NAME")]
    pub threshold_metric: Option<String>,
    /// The threshold applies to the difference from the baseline option.
    #[arg(long)]
    pub from_baseline: bool,
}

#[derive(Debug, Args)]
pub struct RobustnessArgs {
    /// An output directory written by `orgsim run` of a scenario with a [design] and [[option]]s.
    pub dir: PathBuf,
    #[command(flatten)]
    pub settings: RobustnessSettings,
    /// Skip the figures and report.html (the CSV files are still written).
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// An output directory written by `orgsim run` of a scenario with a [design] and [[option]]s.
    pub dir: PathBuf,
    /// A case of interest (repeatable), e.g. '"embed everyone" beats baseline by 0.5 on value_added',
    /// '"hub" is best', 'value_added of "hub" below 0' [default: `[robustness] cases`, else
    /// "the option best on average is not best"].
    #[arg(long = "case", value_name = "CASE")]
    pub cases: Vec<String>,
    #[command(flatten)]
    pub settings: RobustnessSettings,
    /// PRIM's peeling step: the share of a box's points one peel removes.
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub peel_alpha: f64,
    /// PRIM's pasting step.
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub paste_alpha: f64,
    /// The smallest box, as a share of the design points.
    #[arg(long, value_name = "M", default_value_t = 0.05)]
    pub mass_min: f64,
    /// Report the first box on the trajectory whose density reaches D [default: the last box].
    #[arg(long, value_name = "D")]
    pub density: Option<f64>,
    /// The most boxes to find per case.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=20))]
    pub boxes: u16,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the models available, one line each.
    Models,
    /// Show a model's parameters (name, default, range, unit, meaning, source) and metrics.
    Describe {
        /// The model's name (see `orgsim models`).
        model: String,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept sweeps above the limits on runs, ticks and output size (as `run --allow-large`).
        #[arg(long)]
        allow_large: bool,
    },
    /// Rank the options of a saved run against the baseline (paired differences, P(best)).
    Compare(CompareArgs),
    /// Draw the figures of a saved run into DIR/plots/ (PNG and SVG), from its CSV files alone.
    Plot(PlotArgs),
    /// Write DIR/report.html: one self-contained page with the comparison and key figures.
    Report(ReportArgs),
    /// Run every point of a scenario × every replicate, and write the outputs.
    Run(RunArgs),
    /// Say whether the run into DIR is complete, running, or interrupted (runs done, failed, left,
    /// and the command that resumes it).
    Status {
        /// The output directory (the run's --out).
        dir: PathBuf,
    },
    /// Global sensitivity analysis of a saved design run (`[design]`): DIR/sensitivity.csv,
    /// salib_problem.json, figures and report.html (also done at the end of `run`).
    Sensitivity {
        /// An output directory written by `orgsim run` (or `merge`) of a design scenario.
        dir: PathBuf,
        /// Skip the figures and report.html (sensitivity.csv is still written).
        #[arg(long)]
        no_plots: bool,
    },
    /// Robust choice across a saved design × options run: each option's expected value and regret
    /// (mean, percentile, maximum), share of points where best, satisficing share; writes
    /// DIR/robustness.csv, regret.csv, the PRIM files, figures and report.html (also done by `run`).
    Robustness(RobustnessArgs),
    /// Scenario discovery (PRIM) on a saved design × options run: where in the design does a case
    /// hold? Writes DIR/prim_boxes.csv, prim_trajectory.csv and prim_input.csv and prints the boxes.
    Discover(DiscoverArgs),
    /// Join the shard directories of one sweep (from `run --shard K/N`) into one output directory.
    Merge {
        /// The shard directories, all N of them, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The merged output directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace the output directory if it exists and is not empty; only a directory that orgsim
        /// wrote (it holds a manifest.json) is replaced.
        #[arg(long)]
        overwrite: bool,
        /// Skip the figures and report.html (comparison.csv is still written).
        #[arg(long)]
        no_plots: bool,
    },
    /// A live what-if page: move the levers, see the paired comparison of the options (loopback only by default).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A scenario of `[[option]]`s to start from [default: the data-team model, its defaults and one copy].
    pub scenario: Option<PathBuf>,
    /// The port to listen on (0: any free port; the URL printed says which).
    #[arg(long, value_name = "N", default_value_t = 8470)]
    pub port: u16,
    /// The address to listen on. Anything but a loopback address exposes the page, which runs
    /// work and writes studies, to the network without any authentication.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The output root that "run as a full study" writes into (nothing is written outside it).
    #[arg(long, value_name = "DIR", default_value = "outputs")]
    pub outputs: PathBuf,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Output directory [default: outputs/<scenario name>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the output directory if it exists and is not empty; only a directory that orgsim
    /// wrote (it holds a manifest.json) is replaced.
    #[arg(long)]
    pub overwrite: bool,
    /// Accept a sweep above the limits: 10 000 000 runs, 10^10 ticks in all, about 10 GiB of
    /// estimated output (see README, "Limits").
    #[arg(long)]
    pub allow_large: bool,
    /// Skip the figures (DIR/plots/) and DIR/report.html (comparison.csv is still written).
    #[arg(long)]
    pub no_plots: bool,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Replicates per point (overrides the scenario's `replications`).
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u64).range(1..))]
    pub replications: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Override a fixed parameter, e.g. --set turnover=0.1 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Run only shard K of N (1-based) of the sweep's runs (with adaptive replication: of its
    /// points, whole), e.g. one task of a Slurm job array; join the shards with `orgsim merge`
    /// [default --out: outputs/<name>.shard-K-of-N/].
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "only")]
    pub shard: Option<Shard>,
    /// Run only the run with this id (runs.csv's `run_id`, e.g. one named in failures.csv), with
    /// the seed and values it has in the whole sweep [default --out: outputs/<name>.run-ID/].
    #[arg(long, value_name = "RUN_ID")]
    pub only: Option<u64>,
    /// Resume an interrupted run into the same --out: skip the runs its ledger records and finish
    /// the rest (the files end byte-identical to an uninterrupted run's). Refused if the scenario,
    /// flags or build differ; with nothing to resume, runs from the start.
    #[arg(long, conflicts_with = "overwrite")]
    pub resume: bool,
    /// No progress bar (the one-line summary is still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the points, runs, ticks, expected output size and a wall time estimated from a short
    /// pilot (a few runs of the first point), then exit without writing anything.
    #[arg(long, conflicts_with = "resume")]
    pub dry_run: bool,
    /// Also write units.csv (and units_timeseries.csv): each unit's own metrics, e.g. its value
    /// added (same as `per_unit = true` in [scenario]; models with per-unit metrics only).
    #[arg(long)]
    pub per_unit: bool,
}

/// One shard of a sweep: `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Parses `K/N` with 1 <= K <= N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text
        .split_once('/')
        .ok_or("expected K/N, e.g. 2/8 for the second of eight shards")?;
    let parse = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a whole number; expected K/N, e.g. 2/8"))
    };
    let (index, count) = (parse(k)?, parse(n)?);
    if count == 0 || index == 0 || index > count {
        return Err(format!(
            "shard {index}/{count}: K must be from 1 to N, and N at least 1"
        ));
    }
    Ok(Shard { index, count })
}
