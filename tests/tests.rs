//! The integration-test binary: the CLI as a user drives it, and properties of whole runs.

mod adaptive;
mod change;
mod cli;
mod datateam;
mod determinism;
mod engine;
mod fuzz;
mod labels;
mod layers;
mod march;
mod report;
mod robust;
mod schedules;
mod sensitivity;
mod serve;
mod slurm;
