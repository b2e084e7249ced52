//! The models orgsim ships, and the registry that finds them by name.
//!
//! Models are pure: no I/O, no globals, no clocks. Each declares its parameters and metrics once and
//! builds runs through [`crate::engine::Model`].

pub mod datateam;
pub mod march1991;

use crate::engine::Model;

/// Every model, in the order `orgsim models` lists them.
pub fn all() -> Vec<&'static dyn Model> {
    vec![&datateam::DataTeam, &march1991::March1991]
}

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static dyn Model> {
    all().into_iter().find(|m| m.name() == name)
}

/// The names of every model, for errors and suggestions.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|m| m.name()).collect()
}
