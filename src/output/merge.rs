//! `orgsim merge`: joins the shards of one sweep (run with `--shard K/N`, e.g. as a Slurm job array)
//! into one output directory, byte-identical in its CSVs to running the sweep in one go.
//!
//! Shards of a fixed sweep hold contiguous run-id ranges, so concatenating their `runs.csv` and
//! `timeseries.csv` (and the per-unit files, when on) in shard order restores run-id order. Shards
//! of an adaptive sweep hold whole points instead (with options, a setting's options lie far apart
//! in point order), so their rows are interleaved point by point, each point's from the shard that
//! holds it, which restores run-id order too. `summary.csv` is recomputed from the merged
//! `runs.csv` with the same accumulator and writer a single run uses.

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
        ("adaptive", same_adaptive_rule(a, b)),
    ]
    .into_iter()
    .find(|(_, same)| !same)
    .map(|(key, _)| key)
}

/// Whether both shards ran the same adaptive rule (or both a fixed number of replicates); what
/// each decided differs, as each holds other points.
fn same_adaptive_rule(a: &Manifest, b: &Manifest) -> bool {
    let rule = |m: &Manifest| {
        m.adaptive.as_ref().map(|r| {
            (
                r.metric.clone(),
                r.target_half_width,
                r.target_relative_half_width,
                r.min,
                r.max,
                r.judged_on.clone(),
            )
        })
    };
    rule(a) == rule(b)
}

/// The adaptive block of the merged run: each point's replicates and target_met from the one
/// shard that holds it, and the index of that shard in `shards`. Refuses a point held by no shard
/// or by two.
fn join_adaptive(
    shards: &[Shard],
) -> Result<Option<(manifest::AdaptiveInfo, Vec<usize>)>, InputError> {
    let Some(first) = shards[0].manifest.adaptive.clone() else {
        return Ok(None);
    };
    let points = shards[0].manifest.points.len();
    let mut owner: Vec<Option<usize>> = vec![None; points];
    let mut joined = first;
    for (k, shard) in shards.iter().enumerate() {
        let shown = shard.dir.display().to_string();
        let held = shard
            .manifest
            .shard
            .as_ref()
            .and_then(|s| s.points.as_ref())
            .ok_or_else(|| {
                InputError::new(
                    &shown,
                    "manifest.json: an adaptive shard must list the points it holds (`shard.points`); run the shard again with this orgsim",
                )
            })?;
        let decided = shard.manifest.adaptive.as_ref().ok_or_else(|| {
            InputError::new(&shown, "manifest.json: the shard has no `adaptive` block")
        })?;
        for &p in held {
            if p >= points || p >= decided.replicates.len() || p >= decided.target_met.len() {
                return Err(InputError::new(
                    &shown,
                    format!(
                        "manifest.json: shard.points names point {p}, but the sweep has {points} points"
                    ),
                ));
            }
            if let Some(other) = owner[p] {
                return Err(InputError::new(
                    "merge",
                    format!(
                        "point {p} is held by two shards, {} and {shown}: give each shard of one sweep once",
                        shards[other].dir.display()
                    ),
                ));
            }
            owner[p] = Some(k);
            joined.replicates[p] = decided.replicates[p];
            joined.target_met[p] = decided.target_met[p];
        }
    }
    let owner = owner
        .into_iter()
        .enumerate()
        .map(|(p, k)| {
            k.ok_or_else(|| {
                InputError::new(
                    "merge",
                    format!(
                        "point {p} is held by none of the shards: they do not cover the sweep (were they run with another orgsim?)"
                    ),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Some((joined, owner)))
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

/// Opens `name` in `shard` and reads its header: the first shard's is written to `writer`, a later
/// shard's must match it. Returns the path and the data lines.
fn open_checking_header(
    shard: &Shard,
    name: &str,
    header: &mut Option<String>,
    writer: &mut impl Write,
) -> Result<(PathBuf, std::io::Lines<BufReader<File>>)> {
    let path = shard.dir.join(name);
    let file = File::open(&path)
        .map_err(|_| InputError::new(path.display().to_string(), "is missing from the shard"))?;
    let mut lines = BufReader::new(file).lines();
    let first = lines.next().transpose()?.unwrap_or_default();
    match header {
        None => {
            writeln!(writer, "{first}")?;
            *header = Some(first);
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
    Ok((path, lines))
}

/// Appends `name` from every shard to `out`, keeping the first header and checking the others match.
fn concatenate(shards: &[Shard], name: &str, out: &Path) -> Result<()> {
    let mut writer = BufWriter::new(
        File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    let mut header: Option<String> = None;
    for shard in shards {
        let (_, lines) = open_checking_header(shard, name, &mut header, &mut writer)?;
        for line in lines {
            writeln!(writer, "{}", line?)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Writes `name` of the adaptive shards into `out` in point order, each point's rows from the shard
/// that holds it (`owner[p]`, an index into `shards`), keeping the first header and checking the
/// others match. The point id is the CSV field `point_column` (a whole number, never quoted, and
/// preceded only by whole numbers).
fn interleave_by_point(
    shards: &[Shard],
    owner: &[usize],
    name: &str,
    point_column: usize,
    out: &Path,
) -> Result<()> {
    let mut writer = BufWriter::new(
        File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    let mut readers = Vec::with_capacity(shards.len());
    let mut header: Option<String> = None;
    for shard in shards {
        let (path, lines) = open_checking_header(shard, name, &mut header, &mut writer)?;
        readers.push((path, lines.peekable()));
    }
    let point_of =
        |line: &str| -> Option<usize> { line.split(',').nth(point_column)?.parse().ok() };
    for (point, &k) in owner.iter().enumerate() {
        let (_, lines) = &mut readers[k];
        while let Some(line) = lines.next_if(|line| {
            line.as_ref()
                .map_or(true, |line| point_of(line) == Some(point))
        }) {
            writeln!(writer, "{}", line?)?;
        }
    }
    for (path, lines) in &mut readers {
        if let Some(line) = lines.next() {
            return Err(InputError::new(
                path.display().to_string(),
                format!(
                    "holds a row for a point its shard does not hold, or out of order: {}",
                    line?.chars().take(60).collect::<String>()
                ),
            )
            .into());
        }
    }
    writer.flush()?;
    Ok(())
}

/// Joins the `failures.csv` of the shards that have one into `out`, in run-id order as a whole run
/// writes it, written only when some run failed; returns the number of failed runs.
fn concatenate_failures(shards: &[Shard], out: &Path) -> Result<u64> {
    let mut header: Option<csv::StringRecord> = None;
    let mut records: Vec<(u64, csv::StringRecord)> = Vec::new();
    for shard in shards {
        let path = shard.dir.join(files::FAILURES);
        if !path.is_file() {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if header.is_none() {
            header = Some(reader.headers()?.clone());
        }
        for record in reader.records() {
            let record = record?;
            let run_id = record
                .get(0)
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| {
                    InputError::new(path.display().to_string(), "run_id is not a whole number")
                })?;
            records.push((run_id, record));
        }
    }
    let Some(header) = header else {
        return Ok(0);
    };
    // Adaptive shards with options hold run ids that interleave; fixed shards are already in order.
    records.sort_by_key(|(run_id, _)| *run_id);
    let mut w =
        csv::Writer::from_path(out).with_context(|| format!("cannot create {}", out.display()))?;
    w.write_record(&header)?;
    for (_, record) in &records {
        w.write_record(record)?;
    }
    w.flush()?;
    Ok(records.len() as u64)
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
        adaptive: manifest.adaptive.as_ref().map(|a| {
            a.replicates
                .iter()
                .copied()
                .zip(a.target_met.iter().copied())
                .collect()
        }),
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
    let adaptive = join_adaptive(&shards)?;
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
    let series = first.record_every > 0;
    let per_unit = first.per_unit;
    // (file, wanted, the CSV field holding the point id)
    for (name, wanted, point_column) in [
        (files::RUNS, true, 1),
        (files::TIMESERIES, series, 0),
        (files::UNITS, per_unit, 1),
        (files::UNITS_TIMESERIES, per_unit && series, 0),
    ] {
        let path = out.path().join(name);
        match (&adaptive, wanted) {
            (_, false) => {}
            (Some((_, owner)), true) => {
                interleave_by_point(&shards, owner, name, point_column, &path)?
            }
            (None, true) => concatenate(&shards, name, &path)?,
        }
    }
    let failed = concatenate_failures(&shards, &out.path().join(files::FAILURES))?;
    // A merged run is one whole run, written by this build whatever the shards' format version.
    let mut manifest = first.clone();
    manifest.adaptive = adaptive.map(|(joined, _)| joined);
    let layout = layout_from_files(&out.path().join(files::POINTS), &manifest)?;
    let table = summarise(&out.path().join(files::RUNS), &layout)?;
    write_summary(&out.path().join(files::SUMMARY), &layout, &table)?;

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
    let runs = manifest.total_runs();
    analyse(out.path())?;
    out.commit()
        .with_context(|| format!("cannot move the merged outputs into {}", dest.display()))?;
    Ok(runs)
}
