//! The CSV files of an output directory, written as runs stream past.
//!
//! Columns (stable; scripts rely on them):
//! - `points.csv`: `point_id`, [`option`], every parameter (internal constants and prices only where
//!   the scenario sets them).
//! - `runs.csv`: `run_id, point_id`, [`option`], `replicate, seed`, the parameters of `points.csv`,
//!   every metric.
//! - `timeseries.csv`: `point_id, replicate, tick`, every metric.
//! - `units.csv` (opt-in, `per_unit`): `runs.csv`'s columns up to the parameters, then `unit` and
//!   every per-unit metric: one row per (run, unit), final values.
//! - `units_timeseries.csv` (with `units.csv` and `record_every > 0`): `point_id, replicate, tick,
//!   unit`, every per-unit metric.
//! - `summary.csv`: `point_id`, [`option`], each parameter that varies, `metric, n, mean, sd, se,
//!   ci_low, ci_high, min, max`.
//! - `failures.csv` (only when a run panicked): `run_id, point_id, replicate, seed, message`; a
//!   failed run has no row in the other files and is left out of the summary.
//!
//! Numbers are written in Rust's shortest round-trip form; a missing value is `NaN`; an unset
//! parameter is an empty cell.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::engine::executor::{Point, RunFailure, RunRecord};
use crate::engine::params::MetricSpec;
use crate::scenario::Scenario;
use crate::stats::SummaryTable;

pub const POINTS: &str = "points.csv";
pub const RUNS: &str = "runs.csv";
pub const TIMESERIES: &str = "timeseries.csv";
pub const SUMMARY: &str = "summary.csv";
pub const UNITS: &str = "units.csv";
pub const UNITS_TIMESERIES: &str = "units_timeseries.csv";
pub const MANIFEST: &str = "manifest.json";
pub const FAILURES: &str = "failures.csv";

/// The CSV column of parameter `name`: its own name, unless a metric has the same name (the data-team
/// model's initial `trust` and `literacy` parameters and its `trust` and `literacy` outcomes), when it
/// is `<name>_param`, so that every header names one column.
pub fn param_column(name: &str, metric_names: &[&str]) -> String {
    if metric_names.contains(&name) {
        format!("{name}_param")
    } else {
        name.to_string()
    }
}

/// The CSV column of every recorded parameter ([`Scenario::recorded_params`]), in declaration
/// order.
fn param_columns(scenario: &Scenario) -> Vec<String> {
    let metric_names: Vec<&str> = scenario.model.metrics().iter().map(|m| m.name).collect();
    let specs = scenario.base.specs();
    scenario
        .recorded_params()
        .into_iter()
        .map(|i| param_column(specs[i].name, &metric_names))
        .collect()
}

/// The columns that identify a run in `runs.csv` and `units.csv`: `run_id, point_id`, [`option`],
/// `replicate, seed`, the recorded parameters.
fn run_columns(scenario: &Scenario) -> Vec<String> {
    let mut header: Vec<String> = vec!["run_id".into(), "point_id".into()];
    if scenario.has_options() {
        header.push("option".into());
    }
    header.extend(["replicate".into(), "seed".into()]);
    header.extend(param_columns(scenario));
    header
}

/// The header of `units.csv`.
pub fn units_header(scenario: &Scenario) -> Vec<String> {
    let mut header = run_columns(scenario);
    header.push("unit".into());
    header.extend(scenario.model.unit_metrics().iter().map(|m| m.name.into()));
    header
}

/// A buffered file for a CSV written line by line.
fn line_writer(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 16,
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    ))
}

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 16,
        file,
    )))
}

/// Streams `runs.csv`, `timeseries.csv` and (when on) the per-unit files, and accumulates the summary.
pub struct RunWriters<'a> {
    scenario: &'a Scenario,
    /// Per point, its `,option` (when the scenario has options) and `,param,...` cells, escaped and
    /// joined once, so that a row costs only the formatting of its own numbers.
    point_fragments: Vec<(String, String)>,
    runs: BufWriter<File>,
    timeseries: Option<BufWriter<File>>,
    units: Option<BufWriter<File>>,
    units_timeseries: Option<BufWriter<File>>,
    summary: SummaryTable,
    line: String,
    /// Per point, the replicates an adaptive rule gave it and whether it met its target.
    adaptive: Option<Vec<(u64, bool)>>,
}

impl<'a> RunWriters<'a> {
    pub fn create(dir: &Path, scenario: &'a Scenario) -> Result<Self> {
        RunWriters::open(dir, scenario, true)
    }

    /// Opens the output streams: created with their headers (and `points.csv`) when `fresh`, else
    /// opened as they are, for [`RunWriters::resume`] to cut back.
    fn open(dir: &Path, scenario: &'a Scenario, fresh: bool) -> Result<Self> {
        let metrics = scenario.model.metrics();
        let recorded = scenario.recorded_params();
        let point_cells: Vec<Vec<String>> = scenario
            .points
            .iter()
            .map(|p| recorded.iter().map(|&i| p.params.cell(i)).collect())
            .collect();
        if fresh {
            write_points(&dir.join(POINTS), scenario, &point_cells)?;
        }
        let point_fragments = scenario
            .points
            .iter()
            .zip(&point_cells)
            .map(|(p, cells)| {
                let option = p
                    .option
                    .as_deref()
                    .map(|o| csv_fragment(&[o]))
                    .unwrap_or_default();
                let params: Vec<&str> = cells.iter().map(String::as_str).collect();
                (option, csv_fragment(&params))
            })
            .collect();
        // A fresh stream starts with its header; a resumed one is opened as it is.
        let stream = |name: &str, header: &[String]| -> Result<BufWriter<File>> {
            let path = dir.join(name);
            if !fresh {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .with_context(|| format!("cannot reopen {}", path.display()))?;
                return Ok(BufWriter::with_capacity(1 << 16, file));
            }
            let mut w = line_writer(&path)?;
            write_header(&mut w, header)?;
            Ok(w)
        };
        let metric_names = metrics.iter().map(|m| m.name.to_string());
        let mut header = run_columns(scenario);
        header.extend(metric_names.clone());
        let runs = stream(RUNS, &header)?;
        let series_columns = |leading: &[&str], names: &mut dyn Iterator<Item = String>| {
            let mut header: Vec<String> = leading.iter().map(|s| s.to_string()).collect();
            header.extend(names);
            header
        };
        let timeseries = if scenario.record_every > 0 {
            let header = series_columns(
                &["point_id", "replicate", "tick"],
                &mut metric_names.clone(),
            );
            Some(stream(TIMESERIES, &header)?)
        } else {
            None
        };
        let (units, units_timeseries) = if scenario.per_unit {
            let units = stream(UNITS, &units_header(scenario))?;
            let series = if scenario.record_every > 0 {
                let header = series_columns(
                    &["point_id", "replicate", "tick", "unit"],
                    &mut scenario
                        .model
                        .unit_metrics()
                        .iter()
                        .map(|m| m.name.to_string()),
                );
                Some(stream(UNITS_TIMESERIES, &header)?)
            } else {
                None
            };
            (Some(units), series)
        } else {
            (None, None)
        };
        Ok(RunWriters {
            scenario,
            point_fragments,
            runs,
            timeseries,
            units,
            units_timeseries,
            summary: SummaryTable::new(scenario.points.len(), metrics.len()),
            line: String::with_capacity(256),
            adaptive: None,
        })
    }

    /// Adds `replicates` and `target_met` (per point) to `summary.csv`, for an adaptive run.
    pub fn set_adaptive(&mut self, per_point: Vec<(u64, bool)>) {
        self.adaptive = Some(per_point);
    }

    /// Clears the line buffer and writes a run's identifying cells into it (no trailing comma).
    fn start_run_line(&mut self, record: &RunRecord) {
        use std::fmt::Write as _;
        let (option, params) = &self.point_fragments[record.point_id];
        self.line.clear();
        let _ = write!(
            self.line,
            "{},{}{option},{},{}{params}",
            record.run_id, record.point_id, record.replicate, record.seed
        );
    }

    pub fn write(&mut self, record: &RunRecord) -> Result<()> {
        use std::fmt::Write as _;
        self.start_run_line(record);
        for x in &record.finals {
            let _ = write!(self.line, ",{x}");
        }
        self.line.push('\n');
        self.runs.write_all(self.line.as_bytes())?;
        self.summary.add(record.point_id, &record.finals);
        if let Some(w) = &mut self.timeseries {
            let width = record.finals.len();
            for (k, tick) in record.series_ticks.iter().enumerate() {
                self.line.clear();
                let _ = write!(
                    self.line,
                    "{},{},{}",
                    record.point_id, record.replicate, tick
                );
                for x in &record.series[k * width..(k + 1) * width] {
                    let _ = write!(self.line, ",{x}");
                }
                self.line.push('\n');
                w.write_all(self.line.as_bytes())?;
            }
        }
        if self.units.is_some() {
            self.write_units(record)?;
        }
        Ok(())
    }

    /// The per-unit rows of one run: its final values into `units.csv`, its recorded ticks into
    /// `units_timeseries.csv`.
    fn write_units(&mut self, record: &RunRecord) -> Result<()> {
        use std::fmt::Write as _;
        let width = self.scenario.model.unit_metrics().len();
        if width == 0 {
            return Ok(());
        }
        for (unit, values) in record.unit_finals.chunks_exact(width).enumerate() {
            self.start_run_line(record);
            let _ = write!(self.line, ",{unit}");
            for x in values {
                let _ = write!(self.line, ",{x}");
            }
            self.line.push('\n');
            if let Some(w) = &mut self.units {
                w.write_all(self.line.as_bytes())?;
            }
        }
        if let Some(w) = &mut self.units_timeseries {
            let per_tick = record.unit_finals.len();
            for (k, tick) in record.series_ticks.iter().enumerate() {
                let rows = &record.unit_series[k * per_tick..(k + 1) * per_tick];
                for (unit, values) in rows.chunks_exact(width).enumerate() {
                    self.line.clear();
                    let _ = write!(
                        self.line,
                        "{},{},{tick},{unit}",
                        record.point_id, record.replicate
                    );
                    for x in values {
                        let _ = write!(self.line, ",{x}");
                    }
                    self.line.push('\n');
                    w.write_all(self.line.as_bytes())?;
                }
            }
        }
        Ok(())
    }

    /// The data files being streamed, by name.
    fn streams(&mut self) -> Vec<(&'static str, &mut BufWriter<File>)> {
        let mut out = vec![(RUNS, &mut self.runs)];
        for (name, w) in [
            (TIMESERIES, &mut self.timeseries),
            (UNITS, &mut self.units),
            (UNITS_TIMESERIES, &mut self.units_timeseries),
        ] {
            if let Some(w) = w {
                out.push((name, w));
            }
        }
        out
    }

    /// Flushes and syncs every data file (and `points.csv`'s directory entry with them) and returns
    /// each one's length: what a resume checkpoint records.
    pub fn sync(&mut self) -> Result<Vec<(String, u64)>> {
        let mut lengths = Vec::new();
        for (name, w) in self.streams() {
            w.flush()?;
            w.get_ref().sync_data()?;
            lengths.push((name.to_string(), w.get_ref().metadata()?.len()));
        }
        Ok(lengths)
    }

    /// Reopens the files of an interrupted run in `dir` at a checkpoint's `lengths` (what was
    /// written after it is cut off) and rebuilds the summary from the runs kept, so the run goes on
    /// as if it had never stopped.
    pub fn resume(dir: &Path, scenario: &'a Scenario, lengths: &[(String, u64)]) -> Result<Self> {
        let mut writers = RunWriters::open(dir, scenario, false)?;
        for (name, w) in writers.streams() {
            let len = lengths
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, l)| *l)
                .with_context(|| format!("the ledger does not record {name}"))?;
            w.get_ref()
                .set_len(len)
                .with_context(|| format!("cannot cut {name} back to its checkpoint"))?;
            std::io::Seek::seek(w, std::io::SeekFrom::End(0))?;
        }
        let metrics = scenario.model.metrics().len();
        let mut reader = csv::ReaderBuilder::new()
            .from_path(dir.join(RUNS))
            .with_context(|| format!("cannot read {RUNS} to resume"))?;
        let mut finals = vec![0.0; metrics];
        for (row, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{RUNS} row {}", row + 2))?;
            let point: usize = record[1]
                .parse()
                .with_context(|| format!("{RUNS} row {}: point_id", row + 2))?;
            let first = record.len() - metrics;
            for (k, x) in finals.iter_mut().enumerate() {
                *x = record[first + k]
                    .parse()
                    .with_context(|| format!("{RUNS} row {}: a metric", row + 2))?;
            }
            writers.summary.add(point, &finals);
        }
        Ok(writers)
    }

    /// Flushes the streams and, unless this is one shard of a sweep (whose summary is made when the
    /// shards are merged), writes `summary.csv`.
    pub fn finish(mut self, dir: &Path, with_summary: bool) -> Result<()> {
        self.runs.flush()?;
        for w in [
            &mut self.timeseries,
            &mut self.units,
            &mut self.units_timeseries,
        ]
        .into_iter()
        .flatten()
        {
            w.flush()?;
        }
        if with_summary {
            let mut layout = SummaryLayout::from_scenario(self.scenario);
            layout.adaptive = self.adaptive.take();
            write_summary(&dir.join(SUMMARY), &layout, &self.summary)?;
        }
        Ok(())
    }
}

/// Writes a header line, each name quoted where the CSV rules need it.
fn write_header(w: &mut impl Write, names: &[String]) -> Result<()> {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    writeln!(w, "{}", &csv_fragment(&names)[1..])?;
    Ok(())
}

/// `cells` as CSV text with a leading comma before each cell, quoted where the CSV rules need it.
fn csv_fragment(cells: &[&str]) -> String {
    let mut out = String::new();
    for cell in cells {
        if cell.is_empty() {
            // A lone empty field would be written `""`; inside a row it is written as nothing.
            out.push(',');
            continue;
        }
        // Each cell is written as a one-field record, so it is escaped on its own.
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        let _ = w.write_record([cell]);
        let bytes = w.into_inner().unwrap_or_default();
        out.push(',');
        out.push_str(String::from_utf8_lossy(&bytes).trim_end_matches(['\r', '\n']));
    }
    out
}

/// A free-text cell that a spreadsheet would read as a formula (it begins with `=`, `+`, `-` or
/// `@`) prefixed with `'`, which spreadsheets show as text. Only for text orgsim does not validate
/// (a panic's message); names are refused at validation instead, and numbers are never quoted.
pub fn quote_formula(text: &str) -> String {
    if text.starts_with(crate::scenario::FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes `failures.csv`: one row per run that panicked, in run-id order.
pub fn write_failures(path: &Path, failures: &[RunFailure]) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(["run_id", "point_id", "replicate", "seed", "message"])?;
    for f in failures {
        w.write_record([
            f.run_id.to_string(),
            f.point_id.to_string(),
            f.replicate.to_string(),
            f.seed.to_string(),
            quote_formula(&f.message),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_points(path: &Path, scenario: &Scenario, cells: &[Vec<String>]) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header = vec!["point_id"];
    if scenario.has_options() {
        header.push("option");
    }
    let params = param_columns(scenario);
    header.extend(params.iter().map(String::as_str));
    w.write_record(&header)?;
    for (point, row) in scenario.points.iter().zip(cells) {
        let mut record = vec![point.id.to_string()];
        if let Some(o) = &point.option {
            record.push(o.clone());
        }
        record.extend(row.iter().cloned());
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

/// What `summary.csv` needs besides the statistics: its leading columns and the metric names. Built
/// from a [`Scenario`] during a run, or from `points.csv` when shards are merged, with identical text.
pub struct SummaryLayout {
    pub leading_columns: Vec<String>,
    /// Per point, the cells of the leading columns.
    pub point_cells: Vec<Vec<String>>,
    pub metrics: Vec<String>,
    /// With adaptive replication, per point: the replicates it ran and whether its target was
    /// met, written as the last two columns (`replicates`, `target_met`); `None` otherwise, so
    /// a fixed-replication summary keeps its columns.
    pub adaptive: Option<Vec<(u64, bool)>>,
}

impl SummaryLayout {
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let varying = scenario.varying_params();
        let mut leading_columns = vec!["point_id".to_string()];
        if scenario.has_options() {
            leading_columns.push("option".into());
        }
        let metric_names: Vec<&str> = scenario.model.metrics().iter().map(|m| m.name).collect();
        leading_columns.extend(varying.iter().map(|v| param_column(v, &metric_names)));
        SummaryLayout {
            leading_columns,
            point_cells: scenario
                .points
                .iter()
                .map(|p| point_prefix(p, scenario.has_options(), &varying))
                .collect(),
            metrics: scenario
                .model
                .metrics()
                .iter()
                .map(|m: &MetricSpec| m.name.to_string())
                .collect(),
            adaptive: None,
        }
    }
}

pub fn write_summary(path: &Path, layout: &SummaryLayout, table: &SummaryTable) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header = layout.leading_columns.clone();
    header.extend(
        [
            "metric", "n", "mean", "sd", "se", "ci_low", "ci_high", "min", "max",
        ]
        .map(String::from),
    );
    if layout.adaptive.is_some() {
        header.extend(["replicates", "target_met"].map(String::from));
    }
    w.write_record(&header)?;
    for (point, prefix) in layout.point_cells.iter().enumerate() {
        for (k, metric) in layout.metrics.iter().enumerate() {
            let m = table.get(point, k);
            let (lo, hi) = m.ci95();
            let mut row = prefix.clone();
            row.push(metric.clone());
            row.push(m.n.to_string());
            row.extend(
                [m.mean(), m.sd(), m.se(), lo, hi, m.min(), m.max()]
                    .iter()
                    .map(|x| x.to_string()),
            );
            if let Some(&(replicates, met)) = layout.adaptive.as_ref().and_then(|a| a.get(point)) {
                row.push(replicates.to_string());
                row.push(met.to_string());
            }
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}
fn point_prefix(point: &Point, with_option: bool, varying: &[&str]) -> Vec<String> {
    let mut row = vec![point.id.to_string()];
    if with_option {
        row.push(point.option.clone().unwrap_or_default());
    }
    row.extend(varying.iter().map(|name| {
        point
            .params
            .get(name)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }));
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of `units.csv` has a name of its own for every model with per-unit metrics, so
    /// that pandas and readr never rename one (`trust.1`), and `unit` precedes the metrics.
    #[test]
    fn units_header_names_every_column_once() {
        let models = crate::models::all();
        let with_units: Vec<_> = models
            .iter()
            .filter(|m| !m.unit_metrics().is_empty())
            .collect();
        assert!(!with_units.is_empty());
        for model in with_units {
            let text = format!(
                "[scenario]\nname = \"t\"\nmodel = \"{}\"\nper_unit = true\n\n[[option]]\nname = \"a\"\n",
                model.name()
            );
            let scenario =
                crate::scenario::parse(Path::new("t.toml"), &text, &Default::default()).unwrap();
            let header = units_header(&scenario);
            let unique: std::collections::HashSet<&String> = header.iter().collect();
            assert_eq!(unique.len(), header.len(), "{header:?}");
            let k = model.unit_metrics().len();
            assert_eq!(header[header.len() - k - 1], "unit");
            assert_eq!(
                header[..5],
                ["run_id", "point_id", "option", "replicate", "seed"]
            );
        }
    }
}
