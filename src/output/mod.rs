//! Output directories and files.
//!
//! A run writes into a hidden staging directory beside the destination (`.NAME.partial`) and moves
//! it into place only when every file is complete, so an output directory appears whole or not at
//! all, and an earlier one is replaced only at that moment. The staging directory is locked while a
//! run writes it, so two runs into one destination cannot both proceed. A run that is interrupted
//! (Ctrl-C, TERM) or killed keeps its staging directory and its [`ledger`]: the next run into the
//! same destination offers to resume it (`--resume`) or, with `--overwrite`, removes it, naming it.

pub mod files;
pub mod integrity;
pub mod ledger;
pub mod manifest;
pub mod merge;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// What to do with the staging directory an interrupted run into the same destination left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// Refuse (exit 2), saying how to resume or discard it.
    Refuse,
    /// Remove it and start afresh (`--overwrite`).
    Discard,
    /// Keep it: the run resumes from its ledger (`--resume`).
    Resume,
}

/// The lock file inside a staging directory, held while a run writes it.
const LOCK: &str = "lock";

/// A staging directory that becomes `dest` on [`OutputDir::commit`]. Dropped uncommitted, it is
/// removed, unless [`OutputDir::keep_for_resume`] kept it.
#[derive(Debug)]
pub struct OutputDir {
    dest: PathBuf,
    staging: PathBuf,
    overwrite: bool,
    /// Whether the staging directory holds an interrupted run being resumed.
    resumed: bool,
    /// Held (locked) until the process ends or this is dropped.
    _lock: File,
    keep: bool,
    committed: bool,
}

/// `.NAME.partial` beside `dest`.
pub fn staging_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.partial"))
}

/// Locks `staging`'s lock file, or says which run holds it.
fn lock(staging: &Path, shown: &str) -> Result<File, InputError> {
    let path = staging.join(LOCK);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| InputError::new(shown, format!("cannot write the output directory: {e}")))?;
    match file.try_lock() {
        Ok(()) => {
            let _ = fs::write(&path, std::process::id().to_string());
            Ok(file)
        }
        Err(fs::TryLockError::WouldBlock) => {
            let pid = fs::read_to_string(&path).unwrap_or_default();
            Err(InputError::new(
                shown,
                format!(
                    "another orgsim run (process {}) is writing to this output directory now; wait for it to finish, or choose another --out DIR",
                    pid.trim()
                ),
            ))
        }
        Err(fs::TryLockError::Error(e)) => Err(InputError::new(
            shown,
            format!(
                "cannot lock the staging directory {}: {e}",
                staging.display()
            ),
        )),
    }
}

impl OutputDir {
    /// Checks `dest` and creates (or, to resume, reopens) the staging directory. Refuses a
    /// non-empty `dest` unless `overwrite`, and with `overwrite` replaces only an orgsim output (see
    /// [`check_replaceable`]) that holds none of the `inputs` (the scenario file, the shards being
    /// merged). An interrupted run's staging directory is handled as `leftover` says.
    pub fn prepare(
        dest: &Path,
        overwrite: bool,
        inputs: &[&Path],
        leftover: Leftover,
    ) -> Result<Self, InputError> {
        let shown = dest.display().to_string();
        if dest.exists() {
            if !dest.is_dir() {
                return Err(InputError::new(
                    &shown,
                    "the output path exists and is not a directory; choose another with --out DIR",
                ));
            }
            let non_empty = fs::read_dir(dest)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true);
            if non_empty && !overwrite {
                return Err(InputError::new(
                    &shown,
                    "the output directory already exists and is not empty; choose another with --out DIR, or pass --overwrite to replace it",
                ));
            }
            if non_empty {
                check_replaceable(dest, inputs)?;
            }
        }
        let staging = staging_path(dest);
        if let Some(parent) = staging.parent() {
            fs::create_dir_all(parent).map_err(|e| {
                InputError::new(
                    &shown,
                    format!(
                        "cannot create the output directory's parent {}: {e}",
                        parent.display()
                    ),
                )
            })?;
        }
        let mut kept = None;
        if staging.is_dir() {
            // Locked first: a run still writing it must not be resumed or removed under it.
            let held = lock(&staging, &shown)?;
            let state = ledger::read(&staging).ok().flatten();
            match (leftover, state) {
                (Leftover::Resume, Some(_)) => kept = Some(held),
                (Leftover::Refuse, Some(state)) => {
                    return Err(InputError::new(
                        &shown,
                        format!(
                            "an interrupted run into this directory left {} of {} runs in {}; resume it with `--resume`, or pass --overwrite to discard it",
                            state.done(),
                            state.total(),
                            staging.display()
                        ),
                    ));
                }
                (Leftover::Discard, _) => {
                    eprintln!(
                        "orgsim: removed the staging directory of an interrupted run: {}",
                        staging.display()
                    );
                }
                // Nothing durable in it (killed before its first checkpoint): start afresh.
                (_, None) => {}
            }
        }
        if staging.is_dir() && kept.is_none() {
            fs::remove_dir_all(&staging).map_err(|e| {
                InputError::new(
                    &shown,
                    format!(
                        "cannot remove the old staging directory {}: {e}",
                        staging.display()
                    ),
                )
            })?;
        }
        let resumed = kept.is_some();
        let held = match kept {
            Some(held) => held,
            None => {
                fs::create_dir(&staging).map_err(|e| {
                    InputError::new(&shown, format!("cannot write the output directory: {e}"))
                })?;
                lock(&staging, &shown)?
            }
        };
        Ok(OutputDir {
            dest: dest.to_path_buf(),
            staging,
            overwrite,
            resumed,
            _lock: held,
            keep: false,
            committed: false,
        })
    }

    /// Where files are written until commit.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Whether this staging directory holds an interrupted run to resume.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Keeps the staging directory (and its ledger) when this is dropped uncommitted: the run was
    /// interrupted and can be resumed.
    pub fn keep_for_resume(&mut self) {
        self.keep = true;
    }

    /// Moves the finished directory into place, replacing an earlier one only now, and only an
    /// orgsim output that `--overwrite` allows: a directory that appeared at `dest` since the run
    /// started is never replaced.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        let _ = fs::remove_file(self.staging.join(ledger::LEDGER));
        let _ = fs::remove_file(self.staging.join(LOCK));
        if self.dest.exists() {
            let empty = fs::read_dir(&self.dest)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty && (!self.overwrite || check_replaceable(&self.dest, &[]).is_err()) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} appeared while this run was writing and is not replaced; the finished outputs are kept in {}",
                        self.dest.display(),
                        self.staging.display()
                    ),
                ))
                .inspect_err(|_| self.keep = true);
            }
            let old = self.staging.with_file_name(format!(
                ".{}.old-{}",
                self.dest
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                std::process::id()
            ));
            fs::rename(&self.dest, &old)?;
            fs::rename(&self.staging, &self.dest)?;
            self.committed = true;
            // The new outputs are in place: a failure to delete the old copy is reported as such.
            fs::remove_dir_all(&old).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "the new outputs are in {}, but the old directory could not be removed from {}: {e}",
                        self.dest.display(),
                        old.display()
                    ),
                )
            })?;
        } else {
            fs::rename(&self.staging, &self.dest)?;
            self.committed = true;
        }
        Ok(self.dest.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed && !self.keep {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Whether `--overwrite` may replace the existing, non-empty directory `dest`: only an orgsim output
/// (it holds `manifest.json`), never the current directory or one above it, and never one that
/// holds any of `inputs`. A scenario's own folder or a user's folder is refused with exit code 2.
pub fn check_replaceable(dest: &Path, inputs: &[&Path]) -> Result<(), InputError> {
    let shown = dest.display().to_string();
    let refuse = |why: String| {
        Err(InputError::new(
            &shown,
            format!("--overwrite refused: {why}; choose another --out DIR"),
        ))
    };
    let canonical = fs::canonicalize(dest).unwrap_or_else(|_| dest.to_path_buf());
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && cwd.starts_with(&canonical)
    {
        return refuse(
            "it is the current directory, or holds it, and replacing it would delete it".into(),
        );
    }
    for input in inputs {
        if let Ok(input) = fs::canonicalize(input)
            && input.starts_with(&canonical)
        {
            return refuse(format!(
                "it holds {}, an input of this command",
                input.display()
            ));
        }
    }
    if !dest.join(files::MANIFEST).is_file() {
        return refuse(format!(
            "it is not an orgsim output directory (it has no {}), and --overwrite replaces only a directory that orgsim wrote",
            files::MANIFEST
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so `path` is whole or absent.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        std::process::id()
    ));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}
