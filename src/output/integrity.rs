//! Integrity of a saved output directory: every data file checked against what its manifest records
//! before `merge`, `compare`, `plot`, `report` or `sensitivity` reads it.
//!
//! A run records, per data file, its SHA-256, size and number of rows ([`FileCheck`], the
//! manifest's `checksums`). The run ids a directory must hold follow from the manifest itself: every
//! run of the sweep (`points × replications`, or each point's adaptive `replicates`), or a shard's
//! `run_ids` (an adaptive shard's: the replicates of its `shard.points`), or `only_run`, less the runs
//! listed in `failures.csv`. [`verify`] walks `runs.csv` row by row against those ids (a missing,
//! duplicated or out-of-order row is named by its line), walks `timeseries.csv` run by run (each run
//! from tick 0 to its last tick, in `runs.csv`'s order), and then compares every file's checksum, so
//! a truncated, padded or edited file is refused (exit code 2) instead of silently giving wrong
//! statistics. A manifest written before checksums existed gets the row checks only, with a note.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::files;
use super::manifest::Manifest;
use crate::error::InputError;

/// What a run records about one data file it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
    pub bytes: u64,
    /// Data rows (CSV records after the header).
    pub rows: u64,
}

/// The data files analyses read, which the manifest checksums (analysis outputs such as
/// comparison.csv and the figures are rewritten by later commands, so they are not).
pub const CHECKED_FILES: [&str; 7] = [
    files::POINTS,
    files::RUNS,
    files::TIMESERIES,
    files::SUMMARY,
    files::UNITS,
    files::UNITS_TIMESERIES,
    files::FAILURES,
];

/// A reader that hashes and counts every byte it passes on.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Reads what is left and returns the file's (hex SHA-256, length in bytes).
    fn finish(mut self) -> std::io::Result<(String, u64)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        let hex = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((hex, self.bytes))
    }
}

fn open(path: &Path) -> Result<Hashing<BufReader<File>>, InputError> {
    File::open(path)
        .map(|f| Hashing::new(BufReader::with_capacity(1 << 16, f)))
        .map_err(|e| {
            InputError::new(
                path.display().to_string(),
                format!("cannot read ({e}); the output directory is incomplete"),
            )
        })
}

/// The check of one file as it is now: its checksum, size and CSV rows.
fn check_file(path: &Path) -> std::io::Result<FileCheck> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(Hashing::new(BufReader::with_capacity(
            1 << 16,
            File::open(path)?,
        )));
    let mut rows = 0u64;
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(std::io::Error::other)?
    {
        rows += 1;
    }
    let (sha256, bytes) = reader.into_inner().finish()?;
    Ok(FileCheck {
        sha256,
        bytes,
        rows,
    })
}

/// The checks of every data file present in `dir`, for its manifest.
pub fn record(dir: &Path) -> std::io::Result<BTreeMap<String, FileCheck>> {
    let mut checks = BTreeMap::new();
    for name in CHECKED_FILES {
        let path = dir.join(name);
        if path.is_file() {
            checks.insert(name.to_string(), check_file(&path)?);
        }
    }
    Ok(checks)
}

/// The run ids `dir` must hold, in order: the manifest's range less the failed runs.
fn expected_run_ids(dir: &Path, manifest: &Manifest) -> Result<Vec<u64>, InputError> {
    let total = (manifest.points.len() as u64).saturating_mul(manifest.replications);
    let range = match (&manifest.shard, manifest.only_run) {
        (Some(shard), _) => shard.run_ids[0]..shard.run_ids[1],
        (None, Some(id)) => id..id + 1,
        (None, None) => 0..total,
    };
    let failed = failed_run_ids(dir, manifest)?;
    if let (Some(adaptive), None) = (&manifest.adaptive, manifest.only_run) {
        // Each point ran a prefix of its replicates: point p's ids are p × max + 0..replicates[p];
        // a shard holds only its own points.
        if adaptive.replicates.len() != manifest.points.len()
            || adaptive
                .replicates
                .iter()
                .any(|&n| n > manifest.replications)
        {
            return Err(InputError::new(
                dir.join(files::MANIFEST).display().to_string(),
                format!(
                    "adaptive.replicates must give each of the {} points a count from 0 to replications ({})",
                    manifest.points.len(),
                    manifest.replications
                ),
            ));
        }
        let mut replicates = adaptive.replicates.clone();
        if let Some(held) = manifest.shard.as_ref().and_then(|s| s.points.as_ref()) {
            let held: BTreeSet<usize> = held.iter().copied().collect();
            for (point, n) in replicates.iter_mut().enumerate() {
                if !held.contains(&point) {
                    *n = 0;
                }
            }
        }
        return Ok(
            crate::engine::adaptive::adaptive_run_ids(manifest.replications, &replicates)
                .into_iter()
                .filter(|id| !failed.contains(id))
                .collect(),
        );
    }
    Ok(range.filter(|id| !failed.contains(id)).collect())
}

/// The run ids `failures.csv` lists; their number must be the manifest's `failed_runs`.
fn failed_run_ids(dir: &Path, manifest: &Manifest) -> Result<BTreeSet<u64>, InputError> {
    let path = dir.join(files::FAILURES);
    let shown = path.display().to_string();
    if !path.is_file() {
        if manifest.failed_runs > 0 {
            return Err(InputError::new(
                &shown,
                format!(
                    "is missing, but manifest.json records {} failed runs",
                    manifest.failed_runs
                ),
            ));
        }
        return Ok(BTreeSet::new());
    }
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| InputError::new(&shown, format!("cannot read: {e}")))?;
    let mut ids = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| InputError::new(&shown, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(0).and_then(|s| s.parse().ok()).ok_or_else(|| {
            InputError::new(&shown, format!("line {line}: run_id is not a whole number"))
        })?;
        ids.insert(id);
    }
    if ids.len() as u64 != manifest.failed_runs {
        return Err(InputError::new(
            &shown,
            format!(
                "lists {} failed runs, but manifest.json records {}",
                ids.len(),
                manifest.failed_runs
            ),
        ));
    }
    Ok(ids)
}

/// One run as `runs.csv` lists it: (point_id, replicate).
type RunKey = (u64, u64);

/// Checks every data file of `dir` against `manifest` (see the module documentation). Returns a note
/// to show when the manifest has no checksums (only the rows could be checked).
pub fn verify(dir: &Path, manifest: &Manifest) -> Result<Option<String>, InputError> {
    let expected = expected_run_ids(dir, manifest)?;
    let mut seen = BTreeMap::new();
    let (runs, check) = check_runs(&dir.join(files::RUNS), manifest, &expected)?;
    seen.insert(files::RUNS, check);
    let series = dir.join(files::TIMESERIES);
    if manifest.record_every > 0 || series.is_file() {
        seen.insert(files::TIMESERIES, check_series(&series, manifest, &runs)?);
    }
    if manifest.checksums.is_empty() {
        return Ok(Some(format!(
            "{} records no checksums (it was written before orgsim recorded them): the rows of runs.csv and timeseries.csv were checked, the files' contents were not",
            dir.join(files::MANIFEST).display()
        )));
    }
    for (name, recorded) in &manifest.checksums {
        let path = dir.join(name);
        let found = match seen.remove(name.as_str()) {
            Some(check) => check,
            None => check_file(&path).map_err(|e| {
                InputError::new(
                    path.display().to_string(),
                    format!("cannot read ({e}); the output directory is incomplete"),
                )
            })?,
        };
        if found.rows != recorded.rows {
            return Err(InputError::new(
                path.display().to_string(),
                format!(
                    "has {} rows, but manifest.json records {}: the file was changed after orgsim wrote it",
                    found.rows, recorded.rows
                ),
            ));
        }
        if found.sha256 != recorded.sha256 || found.bytes != recorded.bytes {
            return Err(InputError::new(
                path.display().to_string(),
                format!(
                    "does not match the checksum in manifest.json ({} bytes, sha256 {}; recorded {} bytes, sha256 {}): the file was changed or damaged after orgsim wrote it; run the scenario again",
                    found.bytes,
                    short(&found.sha256),
                    recorded.bytes,
                    short(&recorded.sha256)
                ),
            ));
        }
    }
    if let Some(name) = seen.keys().next() {
        return Err(InputError::new(
            dir.join(files::MANIFEST).display().to_string(),
            format!("records checksums, but none for {name}"),
        ));
    }
    Ok(None)
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(12)]
}

/// Reads a CSV file's header, then hands each record with its line number to `row`; returns the
/// file's check.
fn walk_csv<C>(
    path: &Path,
    header: impl FnOnce(&csv::StringRecord) -> Result<C, InputError>,
    mut row: impl FnMut(&C, &csv::StringRecord, u64) -> Result<(), InputError>,
) -> Result<FileCheck, InputError> {
    let shown = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new().from_reader(open(path)?);
    let names = reader
        .headers()
        .map_err(|e| InputError::new(&shown, format!("cannot read the header: {e}")))?
        .clone();
    if names.is_empty() {
        return Err(InputError::new(
            &shown,
            "is empty (not even a header): the output directory is damaged",
        ));
    }
    let columns = header(&names)?;
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let line = record.position().map_or(rows + 1, |p| p.line());
                row(&columns, &record, line)?;
            }
            Err(e) => {
                let line = e.position().map_or(rows + 2, |p| p.line());
                return Err(InputError::new(
                    &shown,
                    format!("line {line}: {e} (the file is truncated or damaged)"),
                ));
            }
        }
    }
    let (sha256, bytes) = reader
        .into_inner()
        .finish()
        .map_err(|e| InputError::new(&shown, format!("cannot read: {e}")))?;
    Ok(FileCheck {
        sha256,
        bytes,
        rows,
    })
}

fn whole(
    record: &csv::StringRecord,
    col: usize,
    name: &str,
    line: u64,
    shown: &str,
) -> Result<u64, InputError> {
    let cell = record.get(col).unwrap_or("");
    cell.parse().map_err(|_| {
        InputError::new(
            shown,
            format!("line {line}: {name} \"{cell}\" is not a whole number"),
        )
    })
}

fn column(header: &csv::StringRecord, name: &str, shown: &str) -> Result<usize, InputError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| InputError::new(shown, format!("has no column \"{name}\"")))
}

/// Checks that `runs.csv` holds exactly the `expected` run ids, once each, in order, each with the
/// point and replicate its id stands for; returns the runs in file order and the file's check.
fn check_runs(
    path: &Path,
    manifest: &Manifest,
    expected: &[u64],
) -> Result<(Vec<RunKey>, FileCheck), InputError> {
    let shown = path.display().to_string();
    let reps = manifest.replications.max(1);
    let mut runs: Vec<RunKey> = Vec::with_capacity(expected.len());
    let mut previous: Option<(u64, u64)> = None;
    let check = walk_csv(
        path,
        |header| {
            Ok((
                column(header, "run_id", &shown)?,
                column(header, "point_id", &shown)?,
                column(header, "replicate", &shown)?,
            ))
        },
        |cols, record, line| {
            let id = whole(record, cols.0, "run_id", line, &shown)?;
            let point = whole(record, cols.1, "point_id", line, &shown)?;
            let replicate = whole(record, cols.2, "replicate", line, &shown)?;
            if let Some((before, at)) = previous {
                if id == before {
                    return Err(InputError::new(
                        &shown,
                        format!("line {line} repeats run_id {id} of line {at}: a duplicated row"),
                    ));
                }
                if id < before {
                    return Err(InputError::new(
                        &shown,
                        format!(
                            "line {line}: run_id {id} is out of order (after run_id {before} on line {at})"
                        ),
                    ));
                }
            }
            match expected.get(runs.len()) {
                Some(&want) if want == id => {}
                Some(&want) if expected.binary_search(&id).is_ok() => {
                    return Err(InputError::new(
                        &shown,
                        format!(
                            "line {line}: run_id {want} is missing (the row found holds run_id {id})"
                        ),
                    ));
                }
                _ => {
                    return Err(InputError::new(
                        &shown,
                        format!(
                            "line {line}: run_id {id} is not one of this output's {} runs (manifest.json and failures.csv)",
                            expected.len()
                        ),
                    ));
                }
            }
            if point * reps + replicate != id || replicate >= reps {
                return Err(InputError::new(
                    &shown,
                    format!(
                        "line {line}: run_id {id} is not point {point}, replicate {replicate} of a sweep with {reps} replications"
                    ),
                ));
            }
            previous = Some((id, line));
            runs.push((point, replicate));
            Ok(())
        },
    )?;
    if let Some(missing) = expected.get(runs.len()) {
        let left = expected.len() - runs.len();
        return Err(InputError::new(
            &shown,
            format!(
                "has {} of the {} rows manifest.json lists: run_id {missing}{} missing{}; the file is truncated",
                runs.len(),
                expected.len(),
                if left > 1 {
                    format!(" and {} more are", left - 1)
                } else {
                    " is".into()
                },
                match previous {
                    Some((_, line)) => format!(" after line {line}"),
                    None => " (the file has only its header)".into(),
                }
            ),
        ));
    }
    Ok((runs, check))
}

/// Checks that `timeseries.csv` holds, for every run of `runs.csv` in its order, a block of rows
/// whose ticks rise from 0 to the last recorded tick (`ticks`, unless a stop rule may end a run
/// early).
fn check_series(
    path: &Path,
    manifest: &Manifest,
    runs: &[RunKey],
) -> Result<FileCheck, InputError> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(InputError::new(
            &shown,
            format!(
                "is missing, but manifest.json records a time series (record_every {})",
                manifest.record_every
            ),
        ));
    }
    let ends_at = manifest.stop.is_none().then_some(manifest.ticks);
    // The run whose rows are being read (index into `runs`), its last tick and that tick's line.
    let mut current: Option<(usize, u64, u64)> = None;
    let incomplete = |index: usize, last: u64, line: u64| {
        let (point, replicate) = runs[index];
        InputError::new(
            &shown,
            format!(
                "the rows of point {point}, replicate {replicate} stop at tick {last} (line {line}), before its last tick {}: rows are missing or the file is truncated",
                ends_at.unwrap_or(last)
            ),
        )
    };
    let check = walk_csv(
        path,
        |header| {
            Ok((
                column(header, "point_id", &shown)?,
                column(header, "replicate", &shown)?,
                column(header, "tick", &shown)?,
            ))
        },
        |cols, record, line| {
            let key = (
                whole(record, cols.0, "point_id", line, &shown)?,
                whole(record, cols.1, "replicate", line, &shown)?,
            );
            let tick = whole(record, cols.2, "tick", line, &shown)?;
            if let Some((index, last, at)) = current
                && runs[index] == key
            {
                if tick <= last {
                    return Err(InputError::new(
                        &shown,
                        format!(
                            "line {line}: tick {tick} of point {}, replicate {} repeats or goes back (tick {last} on line {at}): a duplicated or misplaced row",
                            key.0, key.1
                        ),
                    ));
                }
                current = Some((index, tick, line));
                return Ok(());
            }
            let next = match current {
                None => 0,
                Some((index, last, at)) => {
                    if ends_at.is_some_and(|end| last != end) {
                        return Err(incomplete(index, last, at));
                    }
                    index + 1
                }
            };
            let Some(&(point, replicate)) = runs.get(next) else {
                return Err(InputError::new(
                    &shown,
                    format!(
                        "line {line}: point {}, replicate {} has no run in runs.csv (or its rows are repeated)",
                        key.0, key.1
                    ),
                ));
            };
            if key != (point, replicate) || tick != 0 {
                return Err(InputError::new(
                    &shown,
                    format!(
                        "line {line}: expected the first row (tick 0) of point {point}, replicate {replicate}, found point {}, replicate {}, tick {tick}: rows are missing, repeated or out of order",
                        key.0, key.1
                    ),
                ));
            }
            current = Some((next, tick, line));
            Ok(())
        },
    )?;
    match current {
        None if !runs.is_empty() => Err(InputError::new(
            &shown,
            format!(
                "has no rows, but runs.csv holds {} runs: the file is truncated",
                runs.len()
            ),
        )),
        Some((index, last, at)) if ends_at.is_some_and(|end| last != end) => {
            Err(incomplete(index, last, at))
        }
        Some((index, _, at)) if index + 1 < runs.len() => {
            let (point, replicate) = runs[index + 1];
            Err(InputError::new(
                &shown,
                format!(
                    "ends at line {at}, but the rows of {} more runs are missing, from point {point}, replicate {replicate}: the file is truncated",
                    runs.len() - index - 1
                ),
            ))
        }
        _ => Ok(check),
    }
}
