//! Analysis of saved output directories: loading them back ([`saved`]) and paired comparisons of
//! options against a baseline ([`compare`]), with their tables formatted in [`format`].

pub mod compare;
pub mod format;
pub mod saved;
