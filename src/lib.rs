//! orgsim: an agent-based simulator of how organisations turn data into better policy.
//!
//! Data flows one way: scenario file → [`scenario`] (validated) → [`engine`] (planned and executed in
//! parallel) → [`output`] (streamed to disk) → [`analysis`] (summaries). Models live in [`models`] and
//! never do I/O.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod models;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
