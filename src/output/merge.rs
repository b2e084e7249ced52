//! `orgsim merge`: joins the shards of one sweep (run with `--shard K/N`, e.g. as a Slurm job array)
//! into one output directory, byte-identical in its CSVs to running the sweep in one go.
//!
//! Shards hold contiguous run-id ranges, so concatenating their `runs.csv` and `timeseries.csv` (and
//! the per-unit files, when on) in shard order restores run-id order; `summary.csv` is recomputed from the merged `runs.csv` with the
//! same accumulator and writer a single run uses.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::OutputDir;
use super::files::{self, SummaryLayout, write_summary};
use super::manifest::{self, Manifest};
use crate::error::InputError;
use crate::stats::SummaryTable;

/// One shard directory and its manifest.
struct Shard {
    dir: PathBuf,
    manifest: Manifest,
    index: u64,
    count: u64,
}

fn read_shard(dir: &Path) -> Result<Shard, InputError> {
    let shown = dir.display().to_string();
    let path = dir.join(files::MANIFEST);
    let text = fs::read_to_string(&path).map_err(|_| {
        InputError::new(
            &shown,
            "is not an orgsim output directory (no readable manifest.json)",
        )
    })?;
    let manifest = Manifest::parse(&text, &path)?;
    if let Some(note) = super::integrity::verify(dir, &manifest)? {
        eprintln!("orgsim: note: {note}");
    }
    let Some(manifest::ShardInfo { index, count, .. }) = manifest.shard else {
        return Err(InputError::new(
            &shown,
            "is a complete run, not a shard (run shards with `orgsim run --shard K/N`)",
        ));
    };
    Ok(Shard {
        dir: dir.to_path_buf(),
        manifest,
        index,
        count,
    })
}

/// The facts every shard of one sweep must share, by their names in `manifest.json`.
fn first_difference(a: &Manifest, b: &Manifest) -> Option<&'static str> {
    [
        ("model", a.model == b.model),
        ("master_seed", a.master_seed == b.master_seed),
        ("replications", a.replications == b.replications),
        ("ticks", a.ticks == b.ticks),
        ("stop", a.stop == b.stop),
        ("record_every", a.record_every == b.record_every),
        ("points", a.points == b.points),
        ("orgsim_version", a.orgsim_version == b.orgsim_version),
        ("per_unit", a.per_unit == b.per_unit),
        ("build_id", a.build_id == b.build_id),
    ]
    .into_iter()
    .find(|(_, same)| !same)
    .map(|(key, _)| key)
}

fn check_same_sweep(shards: &[Shard]) -> Result<(), InputError> {
    let first = &shards[0];
    for other in &shards[1..] {
        if other.manifest.scenario.sha256 != first.manifest.scenario.sha256 {
            return Err(InputError::new(
                other.dir.display().to_string(),
                format!(
                    "comes from a different scenario file than {}",
                    first.dir.display()
                ),
            ));
        }
        if let Some(key) = first_difference(&first.manifest, &other.manifest) {
            return Err(InputError::new(
                other.dir.display().to_string(),
                format!(
                    "differs from {} in `{key}`: shards must come from one sweep",
                    first.dir.display()
                ),
            ));
        }
        if other.count != first.count {
            return Err(InputError::new(
                other.dir.display().to_string(),
                format!(
                    "is shard {}/{}, but {} is one of {}",
                    other.index,
                    other.count,
                    first.dir.display(),
                    first.count
                ),
            ));
        }
    }
    let count = first.count;
    for k in 1..=count {
        let holders: Vec<&Shard> = shards.iter().filter(|s| s.index == k).collect();
        match holders.len() {
            0 => {
                return Err(InputError::new(
                    "merge",
                    format!("shard {k}/{count} is missing; give all {count} shard directories"),
                ));
            }
            1 => {}
            _ => {
                return Err(InputError::new(
                    "merge",
                    format!(
                        "shard {k}/{count} is given twice: {} and {}",
                        holders[0].dir.display(),
                        holders[1].dir.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Appends `name` from every shard to `out`, keeping the first header and checking the others match.
fn concatenate(shards: &[Shard], name: &str, out: &Path) -> Result<()> {
    let mut writer = BufWriter::new(
        File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    let mut header: Option<String> = None;
    for shard in shards {
        let path = shard.dir.join(name);
        let file = File::open(&path).map_err(|_| {
            InputError::new(path.display().to_string(), "is missing from the shard")
        })?;
        let mut lines = BufReader::new(file).lines();
        let first = lines.next().transpose()?.unwrap_or_default();
        match &header {
            None => {
                writeln!(writer, "{first}")?;
                header = Some(first);
            }
            Some(h) if *h != first => {
                return Err(InputError::new(
                    path.display().to_string(),
                    "has different columns from the first shard",
                )
                .into());
            }
            Some(_) => {}
        }
        for line in lines {
            writeln!(writer, "{}", line?)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Joins the `failures.csv` of the shards that have one (in shard order, so in run-id order) into
/// `out`, written only when some run failed; returns the number of failed runs.
fn concatenate_failures(shards: &[Shard], out: &Path) -> Result<u64> {
    let mut writer: Option<csv::Writer<File>> = None;
    let mut count = 0;
    for shard in shards {
        let path = shard.dir.join(files::FAILURES);
        if !path.is_file() {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let w = match &mut writer {
            Some(w) => w,
            None => {
                let mut w = csv::Writer::from_path(out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
                w.write_record(reader.headers()?)?;
                writer.insert(w)
            }
        };
        for record in reader.records() {
            w.write_record(&record?)?;
            count += 1;
        }
    }
    if let Some(mut w) = writer {
        w.flush()?;
    }
    Ok(count)
}

/// Rebuilds the summary layout from `points.csv` and the manifest, exactly as a run writes it.
fn layout_from_files(points_csv: &Path, manifest: &Manifest) -> Result<SummaryLayout> {
    let mut reader = csv::Reader::from_path(points_csv)?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let mut leading_columns = vec!["point_id".to_string()];
    if header.get(1).is_some_and(|h| h == "option") {
        leading_columns.push("option".into());
    }
    let metric_names: Vec<&str> = manifest.metrics.iter().map(|m| m.name.as_str()).collect();
    leading_columns.extend(
        manifest
            .varying_params
            .iter()
            .map(|v| files::param_column(v, &metric_names)),
    );
    let columns: Vec<usize> = leading_columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .with_context(|| format!("points.csv has no column `{c}`"))
        })
        .collect::<Result<_>>()?;
    let mut point_cells = Vec::new();
    for row in reader.records() {
        let row = row?;
        point_cells.push(columns.iter().map(|&i| row[i].to_string()).collect());
    }
    let metrics = manifest.metrics.iter().map(|m| m.name.clone()).collect();
    Ok(SummaryLayout {
        leading_columns,
        point_cells,
        metrics,
        // Adaptive runs are not sharded (`run --shard` refuses them), so no shard has it.
        adaptive: None,
    })
}

fn summarise(runs_csv: &Path, layout: &SummaryLayout) -> Result<SummaryTable> {
    let mut reader = csv::Reader::from_path(runs_csv)?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let metric_columns: Vec<usize> = layout
        .metrics
        .iter()
        .map(|m| {
            header
                .iter()
                .rposition(|h| h == m)
                .with_context(|| format!("runs.csv has no column `{m}`"))
        })
        .collect::<Result<_>>()?;
    let mut table = SummaryTable::new(layout.point_cells.len(), layout.metrics.len());
    let mut values = vec![0.0; metric_columns.len()];
    for row in reader.records() {
        let row = row?;
        let point: usize = row[1]
            .parse()
            .context("runs.csv: point_id is not a number")?;
        for (v, &c) in values.iter_mut().zip(&metric_columns) {
            *v = row[c]
                .parse()
                .with_context(|| format!("runs.csv: `{}` is not a number", &row[c]))?;
        }
        table.add(point, &values);
    }
    Ok(table)
}

/// Merges shard directories into `dest`, listing `analysis_files` in the manifest and calling `analyse`
/// on the merged directory before it is moved into place. Returns the number of runs merged.
pub fn merge(
    dirs: &[PathBuf],
    dest: &Path,
    overwrite: bool,
    analysis_files: &[&str],
    analyse: impl FnOnce(&Path) -> Result<()>,
) -> Result<u64> {
    let mut shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    check_same_sweep(&shards)?;
    shards.sort_by_key(|s| s.index);
    let inputs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let leftover = if overwrite {
        super::Leftover::Discard
    } else {
        super::Leftover::Refuse
    };
    let out = OutputDir::prepare(dest, overwrite, &inputs, leftover)?;
    let first = &shards[0].manifest;
    fs::copy(
        shards[0].dir.join(files::POINTS),
        out.path().join(files::POINTS),
    )
    .context("cannot copy points.csv")?;
    concatenate(&shards, files::RUNS, &out.path().join(files::RUNS))?;
    let series = first.record_every > 0;
    let per_unit = first.per_unit;
    for (name, wanted) in [
        (files::TIMESERIES, series),
        (files::UNITS, per_unit),
        (files::UNITS_TIMESERIES, per_unit && series),
    ] {
        if wanted {
            concatenate(&shards, name, &out.path().join(name))?;
        }
    }
    let failed = concatenate_failures(&shards, &out.path().join(files::FAILURES))?;
    let layout = layout_from_files(&out.path().join(files::POINTS), first)?;
    let table = summarise(&out.path().join(files::RUNS), &layout)?;
    write_summary(&out.path().join(files::SUMMARY), &layout, &table)?;

    // A merged run is one whole run, written by this build whatever the shards' format version.
    let mut manifest = first.clone();
    manifest.format_version = manifest::FORMAT_VERSION;
    manifest.shard = None;
    manifest.failed_runs = failed;
    if failed > 0 && !manifest.files.iter().any(|f| f == files::FAILURES) {
        manifest.files.push(files::FAILURES.to_string());
    }
    manifest.wall_seconds = Some(shards.iter().filter_map(|s| s.manifest.wall_seconds).sum());
    manifest.merged_from = Some(shards.iter().map(|s| s.dir.display().to_string()).collect());
    manifest.checksums =
        super::integrity::record(out.path()).context("cannot checksum the merged files")?;
    for name in analysis_files {
        if !manifest.files.iter().any(|f| f == name) {
            manifest.files.push(name.to_string());
        }
    }
    fs::write(out.path().join(files::MANIFEST), manifest.to_text()?)?;
    let runs = manifest.replications * manifest.points.len() as u64;
    analyse(out.path())?;
    out.commit()
        .with_context(|| format!("cannot move the merged outputs into {}", dest.display()))?;
    Ok(runs)
}
