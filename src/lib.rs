//! orgsim: an agent-based simulator of how organisations turn data into better policy.
//!
//! Data flows one way: scenario file → [`scenario`] (validated) → [`engine`] (planned and executed in
//! parallel) → [`output`] (streamed to disk) → [`analysis`] (summaries). Models live in [`models`] and
//! never do I/O.
//!
//! Layers only point down. Below the engine sit the pieces every layer shares: [`error`] (bad input,
//! exit code 2), [`suggest`] (did-you-mean hints) and [`stats`] (moments and summaries), so that
//! nothing low has to import from `scenario` or `analysis` to report an error or summarise runs.

/// This build's identity: the version and a hash of the source it was built from (see build.rs).
/// Recorded in every manifest and ledger; a resume by another build is refused.
pub const BUILD_ID: &str = env!("ORGSIM_BUILD_ID");

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod error;
pub mod models;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod suggest;
