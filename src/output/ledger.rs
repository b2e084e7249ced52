//! The resume ledger: what a run has durably finished, so that a killed sweep restarts where it
//! stopped (`orgsim run FILE --out DIR --resume`) and ends with files byte-identical to an
//! uninterrupted run's.
//!
//! Runs reach the output files in run-id order, so "what is finished" is one number, the next run
//! id, plus each file's length at that moment. The ledger (`ledger` in the staging directory) is
//! append-only text: its first line is the run's [`Identity`] (JSON), and each later line a
//! [`Checkpoint`] (JSON), appended only after the data files are flushed and synced, and synced
//! itself. A kill or power cut can leave only a torn last line, which [`read`] ignores, and data
//! written after the last checkpoint, which a resume truncates away.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::engine::executor::RunFailure;

/// The ledger's file name in a staging directory.
pub const LEDGER: &str = "ledger";

/// What makes two runs the same run: a resume must match every field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The build that wrote it ([`crate::BUILD_ID`]): the version alone does not change between
    /// commits, and a different model would write different numbers.
    pub build: String,
    /// SHA-256 of the scenario file's text.
    pub scenario_sha256: String,
    pub model: String,
    pub master_seed: u64,
    pub replications: u64,
    /// `--set` flags, in order.
    pub set: Vec<String>,
    pub per_unit: bool,
    /// The run ids this run covers (a shard's, one run's, or all).
    pub runs: (u64, u64),
    /// Not compared: how the run was started, to print the command that resumes it.
    #[serde(default)]
    pub command_line: Vec<String>,
    /// Not compared (it follows from the rest): with adaptive replication, each point's decided
    /// (replicates, target met), so that a resume runs the same runs without deciding again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<Vec<(u64, bool)>>,
}

impl Identity {
    /// The command that resumes this run: how it was started, with `--resume` (and without
    /// `--overwrite`, which would discard the work).
    pub fn resume_command(&self) -> String {
        let mut command: Vec<String> = self.command_line.clone();
        command.retain(|a| a != "--resume" && a != "--overwrite");
        if let Some(first) = command.first_mut() {
            *first = "orgsim".into();
        }
        command.push("--resume".into());
        command.join(" ")
    }

    /// The fields that differ from `other`'s, in words ("seed 7, not 8"); empty when the same run.
    pub fn differences(&self, now: &Identity) -> Vec<String> {
        let mut out = Vec::new();
        let mut differ = |what: &str, was: String, is: String| {
            if was != is {
                out.push(format!("{what}: {was} when interrupted, {is} now"));
            }
        };
        differ("orgsim build", self.build.clone(), now.build.clone());
        differ(
            "scenario file (SHA-256)",
            self.scenario_sha256.clone(),
            now.scenario_sha256.clone(),
        );
        differ("model", self.model.clone(), now.model.clone());
        differ(
            "seed",
            self.master_seed.to_string(),
            now.master_seed.to_string(),
        );
        differ(
            "replications",
            self.replications.to_string(),
            now.replications.to_string(),
        );
        differ(
            "--set flags",
            format!("{:?}", self.set),
            format!("{:?}", now.set),
        );
        differ(
            "per-unit output",
            self.per_unit.to_string(),
            now.per_unit.to_string(),
        );
        differ(
            "run ids",
            format!("{}..{}", self.runs.0, self.runs.1),
            format!("{}..{}", now.runs.0, now.runs.1),
        );
        out
    }
}

/// A durable point: every run before `next_run` is in the files, which were `lengths` bytes long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub next_run: u64,
    /// (file name, length in bytes) of each data file.
    pub lengths: Vec<(String, u64)>,
    /// Runs that panicked since the previous checkpoint.
    #[serde(default)]
    pub failures: Vec<FailureRecord>,
}

/// A failed run as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub run_id: u64,
    pub point_id: usize,
    pub replicate: u64,
    pub seed: u64,
    pub message: String,
}

impl From<&RunFailure> for FailureRecord {
    fn from(f: &RunFailure) -> Self {
        FailureRecord {
            run_id: f.run_id,
            point_id: f.point_id,
            replicate: f.replicate,
            seed: f.seed,
            message: f.message.clone(),
        }
    }
}

impl From<&FailureRecord> for RunFailure {
    fn from(f: &FailureRecord) -> Self {
        RunFailure {
            run_id: f.run_id,
            point_id: f.point_id,
            replicate: f.replicate,
            seed: f.seed,
            message: f.message.clone(),
        }
    }
}

/// What a ledger says: the run it belongs to, its last checkpoint, and every failure up to it.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub identity: Identity,
    pub last: Checkpoint,
    pub failures: Vec<RunFailure>,
}

impl State {
    /// Runs finished (written or failed) up to the last checkpoint.
    pub fn done(&self) -> u64 {
        match self.adaptive_run_ids() {
            Some(ids) => ids.partition_point(|&id| id < self.last.next_run) as u64,
            None => self.last.next_run - self.identity.runs.0,
        }
    }

    pub fn total(&self) -> u64 {
        match self.adaptive_run_ids() {
            Some(ids) => ids.len() as u64,
            None => self.identity.runs.1 - self.identity.runs.0,
        }
    }

    /// An adaptive run's run ids; `replications` is the rule's `max`.
    fn adaptive_run_ids(&self) -> Option<Vec<u64>> {
        let counts: Vec<u64> = self
            .identity
            .adaptive
            .as_ref()?
            .iter()
            .map(|&(n, _)| n)
            .collect();
        Some(crate::engine::adaptive::adaptive_run_ids(
            self.identity.replications,
            &counts,
        ))
    }
}

/// The append-only ledger of a run in progress.
pub struct Ledger {
    file: File,
}

impl Ledger {
    /// Starts a new ledger in `dir` with the run's identity (synced).
    pub fn create(dir: &Path, identity: &Identity) -> Result<Ledger> {
        let path = dir.join(LEDGER);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut ledger = Ledger { file };
        ledger.append(&serde_json::to_string(identity)?)?;
        Ok(ledger)
    }

    /// Reopens the ledger of a run being resumed, to append to it.
    pub fn reopen(dir: &Path) -> Result<Ledger> {
        let path = dir.join(LEDGER);
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot reopen {}", path.display()))?;
        Ok(Ledger { file })
    }

    /// Appends a checkpoint; the caller has synced the data files it measures.
    pub fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.append(&serde_json::to_string(checkpoint)?)
    }

    fn append(&mut self, line: &str) -> Result<()> {
        // One write of a whole line, then a sync: a crash leaves at most a torn last line.
        self.file.write_all(format!("{line}\n").as_bytes())?;
        self.file.sync_data()?;
        Ok(())
    }
}

/// Reads the ledger in `dir`: `None` if it is missing or holds no checkpoint yet (nothing worth
/// resuming). A torn last line (a crash mid-append) is ignored.
pub fn read(dir: &Path) -> Result<Option<State>> {
    let path = dir.join(LEDGER);
    let Ok(file) = File::open(&path) else {
        return Ok(None);
    };
    let mut lines = BufReader::new(file).lines();
    let Some(Ok(first)) = lines.next() else {
        return Ok(None);
    };
    let Ok(identity) = serde_json::from_str::<Identity>(&first) else {
        return Ok(None);
    };
    let mut last = None;
    let mut failures = Vec::new();
    for line in lines {
        let Ok(line) = line else { break };
        let Ok(checkpoint) = serde_json::from_str::<Checkpoint>(&line) else {
            break; // torn by a crash: everything before it stands
        };
        failures.extend(checkpoint.failures.iter().map(RunFailure::from));
        last = Some(checkpoint);
    }
    Ok(last.map(|last| State {
        identity,
        last,
        failures,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            build: "b".into(),
            scenario_sha256: "s".into(),
            model: "m".into(),
            master_seed: 1,
            replications: 10,
            set: vec![],
            per_unit: false,
            runs: (0, 20),
            adaptive: None,
            command_line: vec!["orgsim".into()],
        }
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_failures_accumulate() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut ledger = Ledger::create(dir.path(), &identity()).unwrap();
        assert_eq!(read(dir.path()).unwrap(), None, "no checkpoint yet");
        let failure = FailureRecord {
            run_id: 3,
            point_id: 0,
            replicate: 3,
            seed: 9,
            message: "boom".into(),
        };
        for (next, failures) in [(5, vec![failure]), (12, vec![])] {
            ledger
                .checkpoint(&Checkpoint {
                    next_run: next,
                    lengths: vec![("runs.csv".into(), next * 10)],
                    failures,
                })
                .unwrap();
        }
        let mut raw = OpenOptions::new()
            .append(true)
            .open(dir.path().join(LEDGER))
            .unwrap();
        raw.write_all(b"{\"next_run\": 19, \"len").unwrap();
        let state = read(dir.path()).unwrap().unwrap();
        assert_eq!(state.last.next_run, 12);
        assert_eq!(state.failures.len(), 1);
        assert_eq!((state.done(), state.total()), (12, 20));
    }

    #[test]
    fn differences_name_each_changed_field() {
        let mut now = identity();
        assert!(identity().differences(&now).is_empty());
        now.master_seed = 2;
        now.command_line = vec!["other".into()];
        let d = identity().differences(&now);
        assert_eq!(d, ["seed: 1 when interrupted, 2 now"]);
    }
}
