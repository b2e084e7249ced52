//! Analysis of saved output directories: loading them back ([`saved`]) and paired comparisons of
//! options against a baseline ([`compare`]), the J-curve of scheduled changes on the ensemble
//! ([`change`]), with their tables formatted in [`format`]; global sensitivity analysis of design
//! runs ([`sensitivity`]).

pub mod change;
pub mod compare;
pub mod format;
pub mod prim;
pub mod robustness;
pub mod saved;
pub mod sensitivity;
