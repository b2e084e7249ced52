//! Reading a saved output directory back: `manifest.json`, `runs.csv` and `timeseries.csv`.
//!
//! Comparison, plots and the report read only these files (never the engine), so that
//! `orgsim plot DIR` redraws a figure years after the run. Everything read is checked here once: a
//! directory that is missing, is not an orgsim output, or has a file that does not parse is an
//! [`InputError`] naming the file, and nothing downstream sees half-valid data. The manifest is read
//! as the same [`Manifest`] type a run writes, so reader and writer cannot disagree.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::error::InputError;
use crate::output::manifest::Manifest;
use crate::output::{files, integrity};

/// A parameter value as a person reads it: `0.1`, `30`, `embedded`, or empty when unset.
pub fn show_value(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.as_f64().map(show_number).unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// A number in its shortest round-trip form, with whole numbers shown without `.0`.
pub fn show_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Final metric values of every run, as columns.
#[derive(Debug, Clone)]
pub struct Runs {
    pub point_id: Vec<usize>,
    pub replicate: Vec<u64>,
    /// One column per metric of the manifest, in its order.
    pub values: Vec<Vec<f64>>,
}

/// Metric values per tick of every run, as columns (present only when the run recorded them).
#[derive(Debug, Clone)]
pub struct TimeSeries {
    pub point_id: Vec<usize>,
    pub replicate: Vec<u64>,
    pub tick: Vec<u64>,
    pub values: Vec<Vec<f64>>,
}

/// A loaded output directory.
#[derive(Debug, Clone)]
pub struct Saved {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub runs: Runs,
}

impl Saved {
    /// Reads `manifest.json` and checks every data file of `dir` against it
    /// ([`integrity::verify`]): for analyses that stream `runs.csv`, and before [`Saved::with_manifest`].
    pub fn load_manifest(dir: &Path, flag: &str) -> Result<Manifest, InputError> {
        let manifest = Saved::read_manifest(dir, flag)?;
        if let Some(note) = integrity::verify(dir, &manifest)? {
            eprintln!("orgsim: note: {note}");
        }
        Ok(manifest)
    }

    /// Reads and checks `manifest.json` alone, not the files it describes.
    pub fn read_manifest(dir: &Path, flag: &str) -> Result<Manifest, InputError> {
        let shown = dir.display().to_string();
        if !dir.exists() {
            return Err(InputError::new(
                flag,
                format!(
                    "{shown}: no such directory; give an output directory written by `orgsim run`"
                ),
            ));
        }
        if !dir.is_dir() {
            return Err(InputError::new(
                flag,
                format!("{shown}: is a file, not an output directory written by `orgsim run`"),
            ));
        }
        let manifest_path = dir.join(files::MANIFEST);
        if !manifest_path.is_file() {
            return Err(InputError::new(
                flag,
                format!(
                    "{shown}: not an orgsim output directory (it has no {}); give a directory written by `orgsim run`",
                    files::MANIFEST
                ),
            ));
        }
        let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
            InputError::new(
                manifest_path.display().to_string(),
                format!("cannot read: {e}"),
            )
        })?;
        let manifest = Manifest::parse(&text, &manifest_path)?;
        for (i, p) in manifest.points.iter().enumerate() {
            if p.point_id != i {
                return Err(InputError::new(
                    manifest_path.display().to_string(),
                    format!(
                        "points are out of order: entry {i} has point_id {}",
                        p.point_id
                    ),
                ));
            }
        }
        Ok(manifest)
    }

    /// Reads `manifest.json` and `runs.csv` from `dir`; `flag` names the argument in errors.
    pub fn load(dir: &Path, flag: &str) -> Result<Saved, InputError> {
        Saved::with_manifest(dir, Saved::load_manifest(dir, flag)?)
    }

    /// Reads `runs.csv` of `dir` under a `manifest` that [`Saved::load_manifest`] returned (so its
    /// files are not checked twice).
    pub fn with_manifest(dir: &Path, manifest: Manifest) -> Result<Saved, InputError> {
        let runs = read_runs(&dir.join(files::RUNS), &manifest)?;
        Ok(Saved {
            dir: dir.to_path_buf(),
            manifest,
            runs,
        })
    }

    /// Whether the run recorded `timeseries.csv`.
    pub fn timeseries_present(&self) -> bool {
        self.dir.join(files::TIMESERIES).is_file()
    }

    /// Reads `timeseries.csv`, or `None` when the run recorded no time series.
    pub fn timeseries(&self) -> Result<Option<TimeSeries>, InputError> {
        let path = self.dir.join(files::TIMESERIES);
        if !path.is_file() {
            return Ok(None);
        }
        let table = read_columns(&path, &self.manifest, &["point_id", "replicate", "tick"])?;
        let [point_id, replicate, tick] = table.keys;
        Ok(Some(TimeSeries {
            point_id: point_id.into_iter().map(|x| x as usize).collect(),
            replicate,
            tick,
            values: table.values,
        }))
    }

    /// The index of a metric in [`Runs::values`].
    pub fn metric_index(&self, name: &str) -> usize {
        self.manifest
            .metrics
            .iter()
            .position(|m| m.name == name)
            .expect("metric names come from the manifest")
    }

    /// Final values of metric `k` by point and replicate (NaN where a run is missing).
    pub fn by_point_and_replicate(&self, k: usize) -> Vec<Vec<f64>> {
        let reps = self.runs.replicate.iter().max().map_or(0, |r| r + 1) as usize;
        let mut table = vec![vec![f64::NAN; reps]; self.manifest.points.len()];
        for (row, (&p, &r)) in self
            .runs
            .point_id
            .iter()
            .zip(&self.runs.replicate)
            .enumerate()
        {
            table[p][r as usize] = self.runs.values[k][row];
        }
        table
    }
}

struct Columns<const K: usize> {
    keys: [Vec<u64>; K],
    values: Vec<Vec<f64>>,
}

fn read_runs(path: &Path, manifest: &Manifest) -> Result<Runs, InputError> {
    let table = read_columns(path, manifest, &["point_id", "replicate"])?;
    let [point_id, replicate] = table.keys;
    Ok(Runs {
        point_id: point_id.into_iter().map(|x| x as usize).collect(),
        replicate,
        values: table.values,
    })
}

/// Reads the integer `keys` columns and every metric column of a CSV file, by header name.
fn read_columns<const K: usize>(
    path: &Path,
    manifest: &Manifest,
    keys: &[&str; K],
) -> Result<Columns<K>, InputError> {
    let shown = path.display().to_string();
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        InputError::new(
            &shown,
            format!("cannot read ({e}); the output directory is incomplete"),
        )
    })?;
    let header = reader
        .headers()
        .map_err(|e| InputError::new(&shown, format!("cannot read the header: {e}")))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError::new(&shown, format!("has no column \"{name}\"")))
    };
    let key_cols: Vec<usize> = keys.iter().map(|k| column(k)).collect::<Result<_, _>>()?;
    let metric_cols: Vec<usize> = manifest
        .metrics
        .iter()
        .map(|m| column(&m.name))
        .collect::<Result<_, _>>()?;
    let mut key_values: [Vec<u64>; K] = std::array::from_fn(|_| Vec::new());
    let mut values = vec![Vec::new(); metric_cols.len()];
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| InputError::new(&shown, format!("{e}")))?;
        let at = |col: usize| record.get(col).unwrap_or("");
        for (slot, &col) in key_values.iter_mut().zip(&key_cols) {
            let x: u64 = at(col).parse().map_err(|_| {
                InputError::new(
                    &shown,
                    format!(
                        "row {}: \"{}\" is not a whole number in column {}",
                        line + 2,
                        at(col),
                        header.get(col).unwrap_or("")
                    ),
                )
            })?;
            slot.push(x);
        }
        for (slot, &col) in values.iter_mut().zip(&metric_cols) {
            let x: f64 = at(col).parse().map_err(|_| {
                InputError::new(
                    &shown,
                    format!(
                        "row {}: \"{}\" is not a number in column {}",
                        line + 2,
                        at(col),
                        header.get(col).unwrap_or("")
                    ),
                )
            })?;
            slot.push(x);
        }
    }
    // Rows that point outside the manifest would index out of bounds later; refuse them here.
    let points = manifest.points.len() as u64;
    if let Some(bad) = key_values[0].iter().find(|&&p| p >= points) {
        return Err(InputError::new(
            &shown,
            format!("point_id {bad} is not in manifest.json (it lists {points} points)"),
        ));
    }
    if let Some(bad) = key_values
        .get(1)
        .and_then(|r| r.iter().find(|&&r| r >= manifest.replications))
    {
        return Err(InputError::new(
            &shown,
            format!(
                "replicate {bad} is beyond manifest.json's {} replications",
                manifest.replications
            ),
        ));
    }
    Ok(Columns {
        keys: key_values,
        values,
    })
}
