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

/// A staging directory that becomes `dest` on [`OutputDir::commit`]. Dropped uncommitted, it is
/// removed, unless [`OutputDir::keep_for_resume`] kept it.
#[derive(Debug)]
pub struct OutputDir {
    dest: PathBuf,
    staging: PathBuf,
    overwrite: bool,
    /// Whether the staging directory holds an interrupted run being resumed.
    resumed: bool,
    /// Held (locked) until the process ends or this is dropped; dropped after the staging
    /// directory is moved or removed.
    _lock: DestLock,
    keep: bool,
    committed: bool,
}

/// `.NAME.partial` beside `dest`.
pub fn staging_path(dest: &Path) -> PathBuf {
    beside(dest, "partial")
}

/// `.NAME.lock` beside `dest`: locked by the one run that may write `dest` and its staging
/// directory, from before it looks at either until after its outputs are moved into place.
pub fn lock_path(dest: &Path) -> PathBuf {
    beside(dest, "lock")
}

/// `.NAME.SUFFIX` in `dest`'s parent.
fn beside(dest: &Path, suffix: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.{suffix}"))
}

/// Whether a live run holds `dest`'s lock now.
pub fn is_locked(dest: &Path) -> bool {
    File::open(lock_path(dest))
        .map(|f| matches!(f.try_lock(), Err(fs::TryLockError::WouldBlock)))
        .unwrap_or(false)
}

/// A held lock on `.NAME.lock`; the file is deleted (then unlocked) when this is dropped, so no
/// lock files pile up. A run that opened the file just before the deletion and locks it after
/// would hold a lock nobody else can see, so [`lock`] checks that the file it locked is still the
/// one at the path.
#[derive(Debug)]
struct DestLock {
    path: PathBuf,
    _file: File,
}

impl Drop for DestLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether the open `file` is the file now at `path` (not one deleted since it was opened).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Locks `dest`'s lock file, or says which run holds it.
fn lock(dest: &Path, shown: &str) -> Result<DestLock, InputError> {
    let path = lock_path(dest);
    let busy = |pid: &str| {
        InputError::new(
            shown,
            format!(
                "another orgsim run{} is writing to this output directory now; wait for it to finish, or choose another --out DIR",
                if pid.is_empty() {
                    String::new()
                } else {
                    format!(" (process {pid})")
                }
            ),
        )
    };
    // A retry only when the file was deleted between opening and locking it: its holder finished.
    for _ in 0..3 {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| {
                InputError::new(shown, format!("cannot write the output directory: {e}"))
            })?;
        match file.try_lock() {
            Ok(()) if still_at(&file, &path) => {
                let _ = fs::write(&path, std::process::id().to_string());
                return Ok(DestLock { path, _file: file });
            }
            Ok(()) => continue,
            Err(fs::TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&path).unwrap_or_default();
                return Err(busy(pid.trim()));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(InputError::new(
                    shown,
                    format!("cannot lock {}: {e}", path.display()),
                ));
            }
        }
    }
    Err(busy(""))
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
        check_destination(dest)?;
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
        // Taken before the staging directory is looked at: whatever is there belongs to no live
        // run, so it may be resumed or removed.
        let held = lock(dest, &shown)?;
        let mut resumed = false;
        if staging.is_dir() {
            let state = ledger::read(&staging).ok().flatten();
            match (leftover, state) {
                (Leftover::Resume, Some(_)) => resumed = true,
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
        if staging.is_dir() && !resumed {
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
        if !resumed {
            fs::create_dir(&staging).map_err(|e| {
                InputError::new(&shown, format!("cannot write the output directory: {e}"))
            })?;
        }
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
        // The lock (beside dest) is held until this is dropped, after the move.
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
            if let Err(e) = fs::rename(&self.staging, &self.dest) {
                // Put the old outputs back, so a failed replacement loses nothing.
                let _ = fs::rename(&old, &self.dest);
                self.keep = true;
                return Err(std::io::Error::new(
                    e.kind(),
                    format!(
                        "{e}; the old outputs are left in {} and the new ones kept in {}",
                        self.dest.display(),
                        self.staging.display()
                    ),
                ));
            }
            self.committed = true;
            // The new outputs are in place, so the run succeeded: a failure to delete the old copy
            // is a warning naming it, not an error that would read as if nothing was written.
            if let Some(warning) = old_copy_warning(&self.dest, &old, fs::remove_dir_all(&old)) {
                eprintln!("orgsim: warning: {warning}");
            }
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

/// The warning for an old output directory that could not be deleted after the new one took its
/// place (`removed` is the result of deleting it).
fn old_copy_warning(dest: &Path, old: &Path, removed: std::io::Result<()>) -> Option<String> {
    removed.err().map(|e| {
        format!(
            "the new outputs are complete in {}; the old outputs it replaced could not be deleted ({e}) and are left in {}: delete that folder by hand",
            dest.display(),
            old.display()
        )
    })
}

/// Refuses an `--out` that cannot become an output directory, before any run starts: one with no
/// folder name of its own (`.`, `..`, `/`), a symbolic link (dangling or not: the move would replace
/// the link, not what it points to), a path under a file, a mount point (it cannot be moved), or a
/// name too long once the staging prefix is added.
pub fn check_destination(dest: &Path) -> Result<(), InputError> {
    let shown = dest.display().to_string();
    let refuse = |why: String| Err(InputError::new("--out", format!("{shown}: {why}")));
    let Some(name) = dest.file_name() else {
        return refuse(
            "names the current directory, its parent or the root, not a new folder for the outputs; give a folder name, e.g. --out outputs/run1".into(),
        );
    };
    if let Ok(meta) = fs::symlink_metadata(dest)
        && meta.file_type().is_symlink()
    {
        let target = fs::read_link(dest)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let state = if dest.exists() {
            "a symbolic link"
        } else {
            "a dangling symbolic link"
        };
        return refuse(format!(
            "is {state} (to {target}); orgsim replaces the output folder as a whole, so give the folder itself or a new name"
        ));
    }
    // The longest name orgsim makes from it: `.NAME.old-PID` beside it (and `.NAME.partial`).
    let longest = name.len() + ".old-4294967295".len() + 1;
    if longest > 255 {
        return refuse(format!(
            "the folder name is {} bytes long; at most {} are allowed, since orgsim writes beside it into `.NAME.partial` and a file system refuses names over 255 bytes",
            name.len(),
            255 - ".old-4294967295".len() - 1
        ));
    }
    let mut above = dest.parent();
    while let Some(dir) = above.filter(|d| !d.as_os_str().is_empty()) {
        if dir.exists() {
            if !dir.is_dir() {
                return refuse(format!(
                    "{} is a file, so no folder can be made under it",
                    dir.display()
                ));
            }
            break;
        }
        above = dir.parent();
    }
    #[cfg(unix)]
    if dest.is_dir() {
        use std::os::unix::fs::MetadataExt;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let (Ok(here), Ok(up)) = (fs::metadata(dest), fs::metadata(&parent))
            && here.dev() != up.dev()
        {
            return refuse(
                "is a mount point, which cannot be replaced; give a folder inside it, e.g. --out DIR/run1".into(),
            );
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_copy_that_cannot_be_deleted_is_a_warning_naming_both_folders() {
        let failed = Err(std::io::Error::other("permission denied"));
        let warning = old_copy_warning(Path::new("out"), Path::new(".out.old-7"), failed).unwrap();
        assert!(
            warning.contains("new outputs are complete in out"),
            "{warning}"
        );
        assert!(warning.contains("left in .out.old-7"), "{warning}");
        assert!(old_copy_warning(Path::new("out"), Path::new(".out.old-7"), Ok(())).is_none());
    }

    #[test]
    fn destinations_that_cannot_become_an_output_folder_are_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        for bad in [".", "..", "/"] {
            let e = check_destination(Path::new(bad)).unwrap_err();
            assert!(
                e.message.contains("give a folder name"),
                "{bad}: {}",
                e.message
            );
        }
        let file = dir.path().join("notes.txt");
        fs::write(&file, "x").unwrap();
        let e = check_destination(&file.join("a/out")).unwrap_err();
        assert!(e.message.contains("notes.txt is a file"), "{}", e.message);
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
            let e = check_destination(&link).unwrap_err();
            assert!(
                e.message.contains("dangling symbolic link"),
                "{}",
                e.message
            );
        }
        let e = check_destination(&dir.path().join("n".repeat(250))).unwrap_err();
        assert!(e.message.contains("250 bytes"), "{}", e.message);
        assert!(check_destination(&dir.path().join("fresh/out")).is_ok());
    }
}
