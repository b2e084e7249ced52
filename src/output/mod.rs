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
    /// Checks `dest` and creates the staging directory. Refuses a non-empty `dest` unless `overwrite`.
    pub fn prepare(dest: &Path, overwrite: bool) -> Result<Self, InputError> {
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
