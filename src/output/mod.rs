//! Output directories and files.
//!
//! A run writes into a hidden staging directory beside the destination and moves it into place only
//! when every file is complete, so an output directory appears whole or not at all, and a failed or
//! interrupted run never leaves a half-written one nor destroys an earlier one.

pub mod files;
pub mod manifest;
pub mod merge;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// A staging directory that becomes `dest` on [`OutputDir::commit`], and is removed if dropped first.
#[derive(Debug)]
pub struct OutputDir {
    dest: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Checks `dest` and creates the staging directory. Refuses a non-empty `dest` unless `overwrite`,
    /// and with `overwrite` replaces only an orgsim output (see [`check_replaceable`]) that holds
    /// none of the `inputs` (the scenario file, the shards being merged).
    pub fn prepare(dest: &Path, overwrite: bool, inputs: &[&Path]) -> Result<Self, InputError> {
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
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".into());
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| {
            InputError::new(
                &shown,
                format!(
                    "cannot create the output directory's parent {}: {e}",
                    parent.display()
                ),
            )
        })?;
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            let _ = fs::remove_dir_all(&staging);
        }
        fs::create_dir(&staging).map_err(|e| {
            InputError::new(&shown, format!("cannot write the output directory: {e}"))
        })?;
        Ok(OutputDir {
            dest: dest.to_path_buf(),
            staging,
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

    /// Moves the finished directory into place, replacing an earlier one only now.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        if self.dest.exists() {
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
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.staging, &self.dest)?;
        }
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
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
